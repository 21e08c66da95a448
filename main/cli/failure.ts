/** A command that failed for a reason the operator can act on: a code, a message, an exit status. */
export class CliFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
