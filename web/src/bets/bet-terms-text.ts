/**
 * A bet's multiplier line and slippage refusal in words, for the bet list (pure: the list renders
 * what these return). The trader sees the quote tapped and the minimum sent (quote less the
 * slippage tolerance) until the bet is priced, then the multiplier it got beside the quote; a
 * `quote_moved` refusal (the server's code, HTTP 409 at receipt or a WebSocket `rejected` at the
 * fill) says the price it was refused at and the minimum it fell below.
 */
import { formatMultiplier } from '../grid/multiplier-format.js';
import type { TrackedBet } from './bet-book.js';
import { formatTolerance, TOLERANCES_BP } from './slippage.js';

export function termsText(bet: TrackedBet): string {
  const got = formatMultiplier(bet.multiplierBp);
  if (bet.quotedBp === null) return `at ${got}`;
  const quoted = formatMultiplier(bet.quotedBp);
  const asked = `quoted ${quoted} · min ${formatMultiplier(bet.minMultiplierBp ?? bet.quotedBp)}`;
  if (bet.phase === 'sending') return asked;
  if (bet.awaitingPrice) return `${asked} · pricing at the next print`;
  if (bet.phase === 'refused' || bet.phase === 'rejected') return asked;
  // Priced: by the 202 (receipt pricing, still pending) or by the fill (`accepted`).
  return `${bet.phase === 'pending' ? 'priced' : 'filled'} ${got} · quoted ${quoted}`;
}

/** The words for a `quote_moved` refusal of a bet placed here, or null for anything else. */
export function slippageRefusalText(bet: TrackedBet): string | null {
  if (bet.reason !== 'quote_moved' || (bet.phase !== 'refused' && bet.phase !== 'rejected')) return null;
  if (bet.minMultiplierBp === null) return null;
  const min = formatMultiplier(bet.minMultiplierBp);
  const tolerance =
    bet.toleranceBp === null ? '' : ` (slippage tolerance ${formatTolerance(bet.toleranceBp)})`;
  const at = bet.phase === 'refused' ? 'the price at receipt was' : 'the fill print priced it at';
  const noMoney = 'No money moved.';
  if (bet.movedToBp !== null && bet.movedToBp >= bet.minMultiplierBp) {
    // Above the exposure reserved while pending (ingest-api BET_ENTRY_RESERVE_PCT): refused, not capped.
    return `Refused: ${at} ${formatMultiplier(bet.movedToBp)}, above what this bet reserved. ${noMoney}`;
  }
  const moved = bet.movedToBp === null ? 'the price moved' : `${at} ${formatMultiplier(bet.movedToBp)}`;
  const higher =
    bet.toleranceBp !== null && bet.toleranceBp < Math.max(...TOLERANCES_BP)
      ? ' A higher tolerance fills more often.'
      : '';
  return `Refused for slippage: ${moved}, below your minimum ${min}${tolerance}. ${noMoney}${higher}`;
}
