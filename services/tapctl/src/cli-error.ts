/**
 * How tapctl fails: a message for stderr and an exit code — 2 when the operator's input is wrong
 * (usage, a bad address or amount, bad configuration), 1 when the operation itself failed
 * (Redis unreachable, no segment, the batcher refused the adjustment). main.ts branches on it.
 */
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_USAGE | typeof EXIT_FAILURE,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE);
export const failure = (message: string) => new CliError(message, EXIT_FAILURE);
