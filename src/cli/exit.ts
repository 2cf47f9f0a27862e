/** Ends a command with a specific exit code (cosign's codes for verify failures, say) and a one-line message. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
    readonly hint?: string,
  ) {
    super(message);
  }
}
