/**
 * Chaos hook for crash tests (BATCHER_FAIL_POINT, BATCHER_FAIL_AFTER_BATCHES): at the named point
 * of the N-th batch the batcher SIGKILLs itself, so a test can prove that a crash exactly there
 * loses and duplicates nothing. Unset in production, where `check` is a no-op.
 */
import type { Logger } from '@tap/runtime';
import type { FailPoint } from './config.js';

export type FailPointCheck = ((at: FailPoint, batch: number) => void) & {
  /** Whether the check at `at` of batch `batch` kills: for a point a path reaches only when armed. */
  fires?(at: FailPoint, batch: number): boolean;
};

export function createFailPoint(
  point: FailPoint | undefined,
  afterBatches: number,
  log: Logger,
): FailPointCheck {
  if (point === undefined) return () => {};
  log.warn({ failPoint: point, afterBatches }, 'fail_point.armed');
  const fires = (at: FailPoint, batch: number) => at === point && batch === afterBatches;
  const check = (at: FailPoint, batch: number) => {
    if (!fires(at, batch)) return;
    log.warn({ failPoint: point, batch }, 'fail_point.kill');
    process.kill(process.pid, 'SIGKILL');
  };
  return Object.assign(check, { fires });
}
