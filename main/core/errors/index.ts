export { errorTable, type ErrorCode, type ErrorKind } from './codes.ts'
export {
  SiegelpostError,
  formatMessage,
  toSiegelpostError,
  type ErrorInfo,
  type ErrorParams,
  type Lang,
} from './siegelpost-error.ts'
export { reason, reasonText, type Reason } from './reason.ts'
