/**
 * The trader's recent bets on the trade view: phase, stake, cell, the multiplier line (quote and
 * minimum, then what the bet got: bet-terms-text.ts), the refusal or rejection in words, and the
 * receipt once settled. The data attributes are what the browser tests read.
 */
import { isSettled, type TrackedBet } from '../bets/bet-book.js';
import { slippageRefusalText, termsText } from '../bets/bet-terms-text.js';
import { describeReason } from '../bets/reasons.js';
import { formatPrice, formatUsd } from '../grid/multiplier-format.js';

export function BetList({ bets, onOpen }: { bets: readonly TrackedBet[]; onOpen(betId: string): void }) {
  if (bets.length === 0) return <p className="empty">Tap a cell to place a bet.</p>;
  return (
    <ul className="bets" aria-label="Your recent bets" data-testid="bets">
      {bets.map((bet) => (
        <BetItem key={bet.key} bet={bet} onOpen={onOpen} />
      ))}
    </ul>
  );
}

function BetItem({ bet, onOpen }: { bet: TrackedBet; onOpen(betId: string): void }) {
  const slippage = slippageRefusalText(bet);
  return (
    <li
      className={`bet ${bet.phase}`}
      data-phase={bet.phase}
      data-bet-id={bet.betId ?? ''}
      data-key={bet.key}
      data-reason={bet.reason ?? ''}
      data-quoted-bp={bet.quotedBp ?? ''}
      data-min-bp={bet.minMultiplierBp ?? ''}
      data-multiplier-bp={bet.awaitingPrice ? '' : bet.multiplierBp}
    >
      <span className="phase">{bet.phase}</span>
      <span>
        {formatUsd(bet.stakeMicros)} on ${formatPrice(bet.p0)}{' '}
        <span className="terms" data-testid="terms">
          {termsText(bet)}
        </span>
      </span>
      {bet.phase === 'won' && <span>paid {formatUsd(bet.payoutMicros)}</span>}
      {bet.reason && (
        <span className="reason" role={slippage ? 'status' : undefined}>
          {slippage ?? describeReason(bet.reason)}
        </span>
      )}
      {bet.betId && isSettled(bet.phase) && (
        <button type="button" onClick={() => onOpen(bet.betId ?? '')}>
          Receipt
        </button>
      )}
    </li>
  );
}
