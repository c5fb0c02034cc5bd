/**
 * Open bets from the segments, through the read-only segment view of @tap/domain (SPEC §8: never
 * the writer's connection). Every open bet is `accepted` in the current segment — a roll-over
 * carries the open ones into the next segment — so the resolver reads that one only. Reads are
 * rare (start, and an `accepted` event that lacks its cell); the view closes the handle of a file
 * that leaves it, so none pins a segment the archiver may move.
 */
import { openBetRows, openSegmentView } from '@tap/domain';
import type { OpenBet } from '@tap/settlement';

const OPEN_BET_COLUMNS = 'id AS betId, t0, p0, window_ms AS windowMs, band_cents AS bandCents';

export type SegmentReader = ReturnType<typeof createSegmentReader>;

export function createSegmentReader(dataDir: string) {
  const view = openSegmentView(dataDir, { closedMax: 0 });
  return {
    /** The segment the open bets are read from (the current one), for the start-up log. */
    currentSegment: (): string | null => view.segments()[0]?.name ?? null,

    openBets: (): OpenBet[] => openBetRows<OpenBet>(view, OPEN_BET_COLUMNS),

    /** One bet if it is open. */
    findOpenBet: (betId: string): OpenBet | null =>
      openBetRows<OpenBet>(view, OPEN_BET_COLUMNS, betId)[0] ?? null,

    close: () => view.close(),
  };
}
