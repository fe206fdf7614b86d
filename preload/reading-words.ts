/**
 * The security bar's words for the renderer (which imports no main/ module itself): the same text the message
 * record uses, kept once in main/core/reading/security-bar-words.ts.
 */
export { securityBarWords } from '../main/core/reading/security-bar-words.ts'
