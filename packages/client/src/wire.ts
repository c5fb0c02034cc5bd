/**
 * The wire types of the HTTP API and the WebSocket, derived from the domain validators (type-only
 * imports: nothing of `@tap/domain` is bundled into a browser build). The WebSocket messages are
 * the schemas ws-gateway builds its messages against (`@tap/domain`, ws-messages.ts).
 */
import type {
  BetEventMessage,
  BetStatus,
  BetView,
  FillPrint,
  MeAnswer,
  PrintEntry,
  Terms,
} from '@tap/domain';
import type { ErrorCode } from '@tap/domain/error-codes';

export type { BetStatus, BetView, ErrorCode, FillPrint, Terms };

/** Every error body: `{ error, message }` plus details such as `multiplierBp` or `limit`. */
export interface ApiFailure {
  ok: false;
  /** HTTP status; 0 when the request never got an answer (network error). */
  status: number;
  error: ErrorCode | 'network_error';
  message: string;
  details: Record<string, unknown>;
}
export type ApiResult<T> = { ok: true; status: number; value: T } | ApiFailure;

export interface LoginAnswer {
  token: string;
  expiresAt: number;
  address: string;
}

/** `GET /v1/me` (declared once in @tap/domain, which ingest-api answers with). */
export type Me = MeAnswer;

export interface BetRequest {
  t0: number;
  p0: number;
  stakeMicros: number;
  /** The lowest multiplier the trader accepts: the one shown on the cell. */
  minMultiplierBp: number;
  /** Idempotency key; placeBet draws one when it is missing. Reuse it to retry the same bet. */
  clientBetId?: string;
}

/**
 * The 202 of `POST /v1/bets`. Priced at receipt (BET_ENTRY=receipt): the multiplier and terms.
 * Next-tick entry (BET_ENTRY=next_print, docs/pricing.md "Informed traders"): no price yet — the
 * bet is priced at the first print after it arrived and the multiplier comes with the `accepted`
 * event (`bet.multiplierBp`) and in `GET /v1/bets/:id`; a fill below `minMultiplierBp` is
 * `rejected` with reason `quote_moved` and moves no money.
 */
export type PlacedBet =
  | { betId: string; status: 'pending'; multiplierBp: number; terms: Terms }
  | { betId: string; status: 'pending'; entry: 'next_print' };

/**
 * Under next-tick entry the `accepted` event (and `GET /v1/bets/:id`) names the print that filled
 * the bet: `fillPrint: { id, t }` (`t` the print's index time, epoch ms). Receipt → fill print is
 * the deliberate delay; fill print → `accepted` is what the stack took (SPEC §12's target with the
 * defence on). This is the second, on the client's clock: null for a bet priced at receipt.
 */
export function fillToAcceptedMs(
  event: Pick<BetEventMessage, 'fillPrint'>,
  receivedAtMs: number,
): number | null {
  return event.fillPrint === undefined ? null : receivedAtMs - event.fillPrint.t;
}

/** The multiplier a 202 carries, or null when the bet waits for its price (next-tick entry). */
export function placedMultiplierBp(placed: PlacedBet): number | null {
  return 'multiplierBp' in placed ? placed.multiplierBp : null;
}

/** `GET /v1/bets/:id`: the settled view, or `{ betId, status: 'pending' }` before the batcher. */
export type BetLookup = BetView | { betId: string; status: 'pending' };

export interface LedgerRowView {
  id: number;
  amountMicros: number;
  balanceAfterMicros: number;
  refType: string;
  refId: string;
  createdAt: number;
  hash: string;
}

/**
 * An index print as `GET /v1/index/history` returns it: the settlement evidence (a subset of the
 * stream entry; `noise` where the server includes it).
 */
export type IndexPrint = Pick<PrintEntry, 'id' | 't' | 'priceCents' | 'venues' | 'sigma'> & {
  noise?: number;
};
export type { Candle1s } from '@tap/domain';

export interface FaucetAnswer {
  adjustmentId: string;
  amountMicros: number;
  /** What this wallet may still take from the faucet, micro-dollars. */
  remainingMicros: number;
}

/** The WebSocket messages: ws-gateway's wire contract (`@tap/domain` ws-messages.ts). */
export type {
  BalanceEventMessage,
  BetEventMessage,
  BreakerMessage,
  ErrorMessage,
  EventMessage,
  PongMessage,
  ReadyMessage,
  ResyncMessage,
  ServerMessage,
  TickMessage,
} from '@tap/domain';
