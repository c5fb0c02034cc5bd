/**
 * The trader's bets as the page shows them: a pure state machine fed by taps, HTTP answers and
 * WebSocket events (SPEC §6.5: pending until the WebSocket says accepted or rejected).
 *
 *   tap → sending ──202──→ pending ──WS──→ accepted ──WS──→ won | lost | void
 *              └──4xx/5xx──→ refused          └──WS──→ rejected
 *
 * Under next-tick entry (BET_ENTRY=next_print, issue 22) the 202 carries no multiplier: the bet is
 * pending with `awaitingPrice` (the multiplier shown is the quote tapped, the minimum sent beside
 * it: quote less the trader's slippage tolerance, slippage.ts) until `accepted` brings the
 * multiplier it was priced at, or `rejected` says why (`quote_moved`: the next print priced it
 * below the minimum, or above the exposure reserved; `price_stale`: no print came). The event does
 * not carry the refused price: `refusal_priced` adds it from `GET /v1/bets/:id` (trading-session).
 *
 * A bet never moves backwards: the WebSocket may say `accepted` before the 202 reaches us, an
 * event may arrive twice (the outbox re-publishes after a crash), a replay after a reconnect may
 * repeat what we saw. Events for bets this page did not place (another tab, a reload) create them.
 */
import type { BetEventMessage, BetLookup } from '@tap/client';

export type BetPhase = 'sending' | 'refused' | 'pending' | 'accepted' | 'rejected' | 'won' | 'lost' | 'void';

export interface TrackedBet {
  /** clientBetId for bets placed here, else the betId. */
  key: string;
  betId: string | null;
  t0: number;
  p0: number;
  stakeMicros: number;
  /** The multiplier: the tapped one until the 202 or `accepted` says what the bet got. */
  multiplierBp: number;
  /** The multiplier on the cell when it was tapped; null for bets this page did not place. */
  quotedBp: number | null;
  /** The `minMultiplierBp` sent (the quote less the slippage tolerance); null as above. */
  minMultiplierBp: number | null;
  /** The slippage tolerance the minimum came from, bp of the multiplier; null as above. */
  toleranceBp: number | null;
  /** A `quote_moved` refusal's price: the multiplier the server would have given; null if unknown. */
  movedToBp: number | null;
  /** Admitted for next-tick entry and not priced yet: `multiplierBp` is only the trader's minimum. */
  awaitingPrice: boolean;
  phase: BetPhase;
  /** Refusal or rejection code (words via describeReason), or the void reason. */
  reason: string | null;
  payoutMicros: number;
}

export interface BetBook {
  bets: readonly TrackedBet[];
  /** The last SQLite balance an event reported (or /v1/me's available balance at sign-in). */
  settledBalanceMicros: number;
}

export type BookInput =
  | {
      type: 'tap';
      clientBetId: string;
      t0: number;
      p0: number;
      stakeMicros: number;
      /** The quote on the cell. */
      multiplierBp: number;
      minMultiplierBp: number;
      toleranceBp: number;
    }
  /** `multiplierBp` null: admitted for next-tick entry, priced later (the `accepted` event). */
  | { type: 'admitted'; clientBetId: string; betId: string; multiplierBp: number | null }
  /** An HTTP refusal; `multiplierBp`: the server's price when the code is `quote_moved`. */
  | { type: 'refused'; clientBetId: string; code: string; multiplierBp?: number }
  /** What the fill print priced a bet rejected `quote_moved` at (`GET /v1/bets/:id`). */
  | { type: 'refusal_priced'; betId: string; multiplierBp: number }
  | { type: 'event'; event: BetEventMessage }
  | { type: 'balance'; balanceMicros: number }
  | { type: 'loaded'; bets: BetLookup[] };

const RANK: Record<BetPhase, number> = {
  sending: 0,
  pending: 1,
  refused: 2,
  accepted: 2,
  rejected: 2,
  won: 3,
  lost: 3,
  void: 3,
};

/** Most bets kept on the page; the oldest settled ones go first (history is one click away). */
export const BOOK_BETS_MAX = 200;

export const emptyBook = (balanceMicros = 0): BetBook => ({ bets: [], settledBalanceMicros: balanceMicros });

export function applyToBook(book: BetBook, input: BookInput): BetBook {
  switch (input.type) {
    case 'tap':
      return withBets(book, [
        ...book.bets,
        {
          ...input,
          quotedBp: input.multiplierBp,
          movedToBp: null,
          key: input.clientBetId,
          betId: null,
          phase: 'sending',
          reason: null,
          payoutMicros: 0,
          awaitingPrice: false,
        },
      ]);
    case 'admitted':
      return applyAdmitted(book, input);
    case 'refused':
      return update(book, (b) => b.key === input.clientBetId, {
        phase: 'refused',
        reason: input.code,
        movedToBp: input.multiplierBp ?? null,
      });
    case 'refusal_priced':
      return withBets(
        book,
        book.bets.map((b) =>
          b.betId === input.betId && b.reason === 'quote_moved' ? { ...b, movedToBp: input.multiplierBp } : b,
        ),
      );
    case 'event':
      return applyEvent(book, input.event);
    case 'balance':
      return { ...book, settledBalanceMicros: input.balanceMicros };
    case 'loaded':
      return input.bets.reduce(applyLoaded, book);
  }
}

/** The 202: the bet becomes pending, or takes over what the WebSocket already said about it. */
function applyAdmitted(
  book: BetBook,
  input: { clientBetId: string; betId: string; multiplierBp: number | null },
): BetBook {
  const early = book.bets.find((b) => b.betId === input.betId && b.key !== input.clientBetId);
  const priced = input.multiplierBp === null ? { awaitingPrice: true } : { multiplierBp: input.multiplierBp };
  const changes = { betId: input.betId, ...priced, phase: 'pending' as BetPhase };
  if (!early) return update(book, (b) => b.key === input.clientBetId, changes);
  const { phase, reason, payoutMicros } = early;
  // The 202's, else what `accepted` said (next-tick entry), else the tapped one (a rejection).
  const multiplierOf = (tapped: TrackedBet) =>
    input.multiplierBp ?? (early.multiplierBp || tapped.multiplierBp);
  return withBets(
    book,
    book.bets
      .filter((b) => b !== early)
      .map((b) =>
        b.key === input.clientBetId
          ? {
              ...b,
              ...changes,
              phase,
              reason,
              payoutMicros,
              awaitingPrice: false,
              multiplierBp: multiplierOf(b),
              movedToBp: early.movedToBp ?? b.movedToBp,
            }
          : b,
      ),
  );
}

function applyEvent(book: BetBook, event: BetEventMessage): BetBook {
  const next = { ...book, settledBalanceMicros: event.balanceMicros };
  const phase = event.status as BetPhase;
  const changes = {
    betId: event.betId,
    phase,
    reason: event.reason ?? null,
    ...(event.payoutMicros !== undefined ? { payoutMicros: event.payoutMicros } : {}),
    ...(event.bet ? { multiplierBp: event.bet.multiplierBp } : {}),
    // Decided either way: a rejection's multiplier stays the trader's minimum, shown as such.
    ...(phase === 'pending' ? {} : { awaitingPrice: false }),
  };
  if (book.bets.some((b) => b.betId === event.betId)) {
    return update(next, (b) => b.betId === event.betId, changes);
  }
  const cell = event.bet ?? { t0: 0, p0: 0, stakeMicros: 0, multiplierBp: 0 };
  return withBets(next, [
    ...book.bets,
    {
      key: event.betId,
      t0: cell.t0,
      p0: cell.p0,
      stakeMicros: cell.stakeMicros,
      payoutMicros: 0,
      ...changes,
      multiplierBp: cell.multiplierBp,
      awaitingPrice: false,
      ...NOT_PLACED_HERE,
    },
  ]);
}

function applyLoaded(book: BetBook, bet: BetLookup): BetBook {
  if (!('t0' in bet)) return book;
  const changes = {
    betId: bet.betId,
    phase: bet.status as BetPhase,
    reason: bet.reason,
    payoutMicros: bet.payoutMicros,
    ...(refusedFillBp(bet) === null ? {} : { movedToBp: refusedFillBp(bet) }),
  };
  if (book.bets.some((b) => b.betId === bet.betId))
    return update(book, (b) => b.betId === bet.betId, changes);
  const loaded: TrackedBet = {
    key: bet.betId,
    t0: bet.t0,
    p0: bet.p0,
    stakeMicros: bet.stakeMicros,
    multiplierBp: bet.multiplierBp,
    awaitingPrice: false,
    ...NOT_PLACED_HERE,
    ...changes,
  };
  return withBets(book, [...book.bets, loaded]);
}

/**
 * The multiplier a next-tick fill was refused `quote_moved` at, from the stored bet: its terms are
 * the fill's then (services/batcher "Next-tick fills"); any other stored multiplier of a rejected
 * bet is the reservation, not a price.
 */
export function refusedFillBp(bet: BetLookup): number | null {
  if (!('terms' in bet) || bet.status !== 'rejected' || bet.reason !== 'quote_moved') return null;
  const terms = bet.terms as { entry?: string; multiplierBp?: number } | null;
  return terms?.entry === 'next_print' && terms.multiplierBp === bet.multiplierBp ? bet.multiplierBp : null;
}

/** A bet learnt from an event or a reload: what it was quoted and the minimum sent are not known here. */
const NOT_PLACED_HERE = { quotedBp: null, minMultiplierBp: null, toleranceBp: null, movedToBp: null };

/** Applies `changes` to the matching bets unless that would move them backwards. */
function update(book: BetBook, match: (b: TrackedBet) => boolean, changes: Partial<TrackedBet>): BetBook {
  return withBets(
    book,
    book.bets.map((bet) => {
      if (!match(bet)) return bet;
      if (changes.phase && RANK[changes.phase] < RANK[bet.phase]) return bet;
      if (changes.phase && RANK[changes.phase] === RANK[bet.phase] && changes.phase !== bet.phase) return bet;
      return { ...bet, ...changes };
    }),
  );
}

function withBets(book: BetBook, bets: TrackedBet[]): BetBook {
  if (bets.length <= BOOK_BETS_MAX) return { ...book, bets };
  const drop = bets.findIndex((b) => RANK[b.phase] >= 2);
  return { ...book, bets: bets.filter((_, i) => i !== (drop === -1 ? 0 : drop)) };
}

/**
 * What the trader can stake now: the last balance the batcher reported minus the stakes admitted
 * but not yet applied (the same reservation the server's balance cache holds, docs/bet-path.md).
 */
export function availableMicros(book: BetBook): number {
  const reserved = book.bets.filter((b) => b.phase === 'pending').reduce((sum, b) => sum + b.stakeMicros, 0);
  return Math.max(0, book.settledBalanceMicros - reserved);
}

export const isSettled = (phase: BetPhase) => RANK[phase] === 3;
export const isOpen = (phase: BetPhase) => phase === 'sending' || phase === 'pending' || phase === 'accepted';
