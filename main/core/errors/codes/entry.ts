export type ErrorKind = 'user' | 'remote' | 'bug'

export interface ErrorEntry {
  readonly kind: ErrorKind
  readonly de: string
  readonly en: string
}
