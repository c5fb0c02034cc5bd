/**
 * One timed apply of a pre-filled tap:bets on a fresh stack — the run batcher-apply and backup-apply
 * both repeat: the batcher alone on a new stack, `users` funded wallets, the batcher stopped while
 * `bets` valid bets are appended (after an optional `prepare`, e.g. padding the segment), the speed
 * check, the batcher started again (with `env`) and timed from its first to its last acknowledged
 * bet while something optional runs `alongside` it (a resource sampler, a backup loop), then drained
 * and audited. The stack is always stopped; a batcher that does not restart or finish in `timeoutMs`
 * throws.
 */
import type { AuditReport } from './audit/audit.js';
import { auditRun, waitForBatcherDrain } from './audit/collect.js';
import { prefillBets, timeApply } from './load/prefilled-bets.js';
import { fundWallets } from './load/wallets.js';
import { cpuSpeedCheck } from './report/machine.js';
import { syntheticSessions } from './server-search.js';
import { type Stack, startStack } from './stack/stack.js';

export type ApplyTiming = Awaited<ReturnType<typeof timeApply>>;

export interface PrefilledApplyOptions<P, A> {
  users: number;
  bets: number;
  /** The batcher's extra environment for the timed start. */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Runs while the batcher is stopped, before the pre-fill. */
  prepare?: (stack: Stack) => P;
  /** Starts with the batcher (`startedAt`: performance.now() just before); stopped after the last ack. */
  alongside?: (stack: Stack, startedAt: number) => { stop(timing: ApplyTiming): Promise<A> };
}

export interface PrefilledApply<P, A> {
  /** cpuSpeedCheck() just before the batcher started (SHA-256/s). */
  speedBefore: number;
  timing: ApplyTiming;
  prepared: P | undefined;
  alongside: A | undefined;
  audit: AuditReport;
}

export async function prefilledApply<P = undefined, A = undefined>(
  outDir: string,
  options: PrefilledApplyOptions<P, A>,
): Promise<PrefilledApply<P, A>> {
  const stack = await startStack({ outDir, daemons: ['batcher'], market: 'none' });
  try {
    const users = syntheticSessions(options.users).map((s) => s.userId);
    await fundWallets(stack.redis, stack.channels, users, 1_000_000_000);
    await stack.stopDaemon('batcher');
    const prepared = options.prepare?.(stack);
    const betIds = await prefillBets(stack, users, options.bets);
    const speedBefore = cpuSpeedCheck();
    const startedAt = performance.now();
    if (!(await stack.startDaemon('batcher', options.env ?? {})))
      throw new Error('the batcher did not restart');
    const beside = options.alongside?.(stack, startedAt);
    const timing = await timeApply(stack, options.bets, startedAt, options.timeoutMs);
    const alongside = await beside?.stop(timing);
    await waitForBatcherDrain(stack.redis, stack.channels, 30_000);
    const audit = await auditRun(stack, { ackedBetIds: betIds });
    return { speedBefore, timing, prepared, alongside, audit };
  } finally {
    await stack.stop();
  }
}
