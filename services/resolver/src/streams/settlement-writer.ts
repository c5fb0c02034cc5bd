/**
 * Appends verdicts to `tap:settlements` (SettlementEntry, one `d` field) in pipelined chunks. The
 * batcher applies a settlement only to a bet still `accepted`, so an entry written twice (a crash
 * between XADD and XACK, a retried chunk) changes nothing. The stream is trimmed by the batcher.
 */
import { type Channels, decodeEntry, encodeEntry } from '@tap/channels';
import type { SettlementEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import type { Verdict } from '@tap/settlement';

/** Small pipelines: a win written meanwhile on the same connection waits behind one at most. */
const CHUNK = 500;

export type SettlementWriter = ReturnType<typeof createSettlementWriter>;

export function createSettlementWriter(redis: Redis, channels: Channels) {
  const stream = channels.streams.settlements;
  const writeChunks = async (verdicts: readonly Verdict[], nowMs: number) => {
    for (let from = 0; from < verdicts.length; from += CHUNK) {
      const pipeline = redis.pipeline();
      for (const verdict of verdicts.slice(from, from + CHUNK)) {
        const entry: SettlementEntry = {
          betId: verdict.betId,
          outcome: verdict.decision.outcome,
          evidence: verdict.decision.evidence,
          settledAt: nowMs,
        };
        pipeline.xadd(stream, '*', ...encodeEntry('settlements', entry));
      }
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('pipeline aborted');
    }
  };
  return {
    /**
     * Writes every verdict with `settledAt = nowMs`, wins first (a window closing writes thousands
     * of losses at once; a winner should not wait behind them). Throws when any XADD failed: retry
     * all, duplicates are harmless.
     */
    async emit(verdicts: readonly Verdict[], nowMs: number): Promise<void> {
      await writeChunks(
        verdicts.filter((v) => v.decision.outcome === 'won'),
        nowMs,
      );
      await writeChunks(
        verdicts.filter((v) => v.decision.outcome !== 'won'),
        nowMs,
      );
    },

    /** Bet ids with a settlement still in the stream (written earlier, not yet trimmed by the batcher). */
    async pendingBetIds(): Promise<Set<string>> {
      const ids = new Set<string>();
      let start = '-';
      for (;;) {
        const page = await redis.xrange(stream, start, '+', 'COUNT', 1_000);
        for (const [, fields] of page) {
          // A malformed entry settles nothing (the batcher dead-letters it), so it excludes nothing.
          const decoded = decodeEntry('settlements', fields);
          if (decoded.ok) ids.add(decoded.value.betId);
        }
        if (page.length < 1_000) return ids;
        start = `(${page[page.length - 1]![0]}`;
      }
    },
  };
}
