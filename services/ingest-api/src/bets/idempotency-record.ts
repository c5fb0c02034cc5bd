/**
 * The idempotency record of an admitted bet (SPEC §6.2): what a retried `POST /v1/bets` with the
 * same `clientBetId` needs to get the original 202 back — and nothing else, so that a flood of
 * bets cannot turn it into a memory weapon (issue 16).
 *
 * Stored as one string `fingerprint|betId|termsJson`: the fingerprint tells a retry from a
 * different request under the same id (409 idempotency_conflict); the 202 body is rebuilt from the
 * bet id and the terms (its `status` is always `pending` and its `multiplierBp` is the terms'), so
 * the JSON envelope and the duplicated fields are not stored. A bet admitted for next-tick entry
 * (BET_ENTRY=next_print, issue 22) has no price yet: its record is `fingerprint|betId|next_print`
 * and its 202 body `{betId, status: 'pending', entry: 'next_print'}` — the multiplier comes with
 * `accepted`. The admission script writes it: it gets the entry once and cuts the terms from its
 * end (`Admission.termsBytes`), so the terms are not sent twice; `encodeAnswer` is what it must
 * equal.
 *
 * It lives until the cell can no longer be bet on plus 60 s (`PXAT t0 + 60 s`): a retry after that
 * targets a cell that has started and is refused `cell_not_placeable` before any record is looked
 * up, so no bet is admitted twice, and the records alive at any moment are bounded by the bets of
 * the next `HORIZON + 60 s`, not of a day.
 */
import type { Terms } from '@tap/domain';

/** How long after the cell's start `t0` the record outlives it, ms (SPEC §6.2: t0 + 60 s). */
export const IDEMPOTENCY_AFTER_T0_MS = 60_000;

export type AcceptedBet =
  | { betId: string; status: 'pending'; multiplierBp: number; terms: Terms }
  /** Next-tick entry: admitted, priced by the batcher at the first print after its receive time. */
  | { betId: string; status: 'pending'; entry: 'next_print' };

const NEXT_PRINT = 'next_print';

/**
 * The part after the fingerprint (what the admission script stores next to it) and the 202 body's
 * JSON, from the terms' JSON written once for the bet (issue 19: the terms were stringified for the
 * entry, the record and the body, three times a bet). `json` is exactly `JSON.stringify(bet)`.
 */
export function encodeAnswer(bet: AcceptedBet, termsJson: string): { answer: string; json: string } {
  if (!('terms' in bet)) return { answer: `${bet.betId}|${NEXT_PRINT}`, json: JSON.stringify(bet) };
  return { answer: `${bet.betId}|${termsJson}`, json: acceptedJson(bet.betId, bet.multiplierBp, termsJson) };
}

/** `JSON.stringify` of a bet priced at receipt, around terms already encoded. */
const acceptedJson = (betId: string, multiplierBp: number, termsJson: string) =>
  `{"betId":${JSON.stringify(betId)},"status":"pending","multiplierBp":${multiplierBp},"terms":${termsJson}}`;

/**
 * The original 202 body and its JSON from the stored answer (`betId|termsJson` or
 * `betId|next_print`): the same text as the first answer, the stored terms written as they are.
 */
export function decodeAnswer(stored: string): { body: AcceptedBet; json: string } {
  const separator = stored.indexOf('|');
  const betId = stored.slice(0, separator);
  const rest = stored.slice(separator + 1);
  if (rest === NEXT_PRINT) {
    const body: AcceptedBet = { betId, status: 'pending', entry: NEXT_PRINT };
    return { body, json: JSON.stringify(body) };
  }
  const terms = JSON.parse(rest) as Terms;
  const body: AcceptedBet = { betId, status: 'pending', multiplierBp: terms.multiplierBp, terms };
  return { body, json: acceptedJson(betId, terms.multiplierBp, rest) };
}

/** A whole record `fingerprint|betId|termsJson`: its fingerprint and the original answer. */
export function decodeRecord(record: string): {
  fingerprint: string;
  answer: ReturnType<typeof decodeAnswer>;
} {
  const separator = record.indexOf('|');
  return { fingerprint: record.slice(0, separator), answer: decodeAnswer(record.slice(separator + 1)) };
}
