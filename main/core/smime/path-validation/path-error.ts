/** A reason the path under test is invalid; path building then tries the next candidate path. */
export class PathError extends Error {}

export const fail = (reason: string): never => {
  throw new PathError(reason)
}
