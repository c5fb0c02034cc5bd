/**
 * How tapctl fails: a message for stderr and an exit code — 2 when the operator's input is wrong
 * (usage, a bad address or amount, bad configuration), 1 when the operation itself failed
 * (Redis unreachable, no segment, the batcher refused the adjustment). main.ts branches on it.
 * A `code` names the broken rule where a script may branch on it: with `--json` the error goes to
 * stderr as `{"error": code, "message": …}` (`bad_usage` / `failed` when no code is given).
 */
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_USAGE | typeof EXIT_FAILURE,
    readonly code?: string,
  ) {
    super(message);
  }

  /** The code in the JSON error body. */
  get errorCode(): string {
    return this.code ?? (this.exitCode === EXIT_USAGE ? 'bad_usage' : 'failed');
  }
}

export const usageError = (message: string, code?: string) => new CliError(message, EXIT_USAGE, code);
export const failure = (message: string, code?: string) => new CliError(message, EXIT_FAILURE, code);
