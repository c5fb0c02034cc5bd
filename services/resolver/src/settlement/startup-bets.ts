/**
 * Which bets are open when the resolver starts: the `accepted` bets of the SQLite snapshot, then
 * the `tap:events` replay applied in stream order (an `accepted` event opens a bet the snapshot may
 * not have yet; won/lost/void/rejected closes it), minus every bet that already has a settlement
 * waiting in `tap:settlements` (emitted by a previous run, not yet applied by the batcher).
 */
import type { OpenBet } from '@tap/settlement';

export type BetChange = { kind: 'open'; bet: OpenBet } | { kind: 'closed'; betId: string };

export interface StartupBets {
  open: OpenBet[];
  /** Bets known to be settled: the index remembers them so a replayed `accepted` is ignored. */
  closed: string[];
}

export function openBetsAtStart(
  snapshot: Iterable<OpenBet>,
  changes: Iterable<BetChange>,
  pendingSettlements: ReadonlySet<string>,
): StartupBets {
  const open = new Map<string, OpenBet>();
  const closed = new Set<string>(pendingSettlements);
  for (const bet of snapshot) open.set(bet.betId, bet);
  for (const change of changes) {
    if (change.kind === 'open') {
      if (!closed.has(change.bet.betId)) open.set(change.bet.betId, change.bet);
    } else {
      open.delete(change.betId);
      closed.add(change.betId);
    }
  }
  for (const betId of closed) open.delete(betId);
  return { open: [...open.values()], closed: [...closed] };
}
