/**
 * Runs an async step over and over until stopped. A failing step (Redis gone, a command timed out)
 * is logged and retried after a capped backoff; each step keeps what it has not finished (read but
 * unprocessed entries, unsent verdicts) so a retry loses nothing. `stop()` lets the running step
 * finish — reads are bounded by BLOCK — and is idempotent.
 */
import type { Logger } from '@tap/runtime';

export interface Loop {
  stop(): Promise<void>;
}

const BACKOFF_MS_MAX = 1_000;

export function startLoop(name: string, log: Logger, step: () => Promise<void>): Loop {
  let stopping = false;
  const done = (async () => {
    let failures = 0;
    while (!stopping) {
      try {
        await step();
        failures = 0;
      } catch (err) {
        failures += 1;
        log.error({ err, loop: name, failures }, 'loop.step_failed');
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** failures, BACKOFF_MS_MAX)));
      }
    }
  })();
  return {
    stop() {
      stopping = true;
      return done;
    },
  };
}
