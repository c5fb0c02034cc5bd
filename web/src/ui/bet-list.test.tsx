/**
 * The bet list as the page renders it (react-dom/server, no browser), fed through the bet book by
 * events in the server's own wire format: each WebSocket message is parsed with `@tap/domain`'s
 * `serverMessageSchema` (the schema ws-gateway builds them against), the refusal body is
 * ingest-api's `{error, message, multiplierBp, printId}` as `@tap/client` hands it over.
 */
import type { BetEventMessage } from '@tap/client';
import { serverMessageSchema } from '@tap/domain';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { applyToBook, type BookInput, emptyBook } from '../bets/bet-book.js';
import { minMultiplierBp } from '../bets/slippage.js';
import { BetList } from './bet-list.js';

const USER = `0x${'c'.repeat(40)}`;
const BET_ID = '01JBET00000000000000000007';
const CELL = {
  t0: 1_765_000_010_000,
  p0: 9_750_000,
  windowMs: 5_000,
  bandCents: 1_000,
  stakeMicros: 5_000_000,
};
const QUOTE = 23_500;

const tap = (toleranceBp: number): BookInput => ({
  type: 'tap',
  clientBetId: 'c1',
  t0: CELL.t0,
  p0: CELL.p0,
  stakeMicros: CELL.stakeMicros,
  multiplierBp: QUOTE,
  minMultiplierBp: minMultiplierBp(QUOTE, toleranceBp),
  toleranceBp,
});
/** ingest-api's next-tick 202 `{betId, status:"pending", entry:"next_print"}`: no multiplier. */
const admittedUnpriced: BookInput = {
  type: 'admitted',
  clientBetId: 'c1',
  betId: BET_ID,
  multiplierBp: null,
};

function wsEvent(raw: unknown): BookInput {
  const message = serverMessageSchema.parse(raw);
  if (message.type !== 'bet') throw new Error(`not a bet event: ${message.type}`);
  return { type: 'event', event: message as BetEventMessage };
}

const render = (...inputs: BookInput[]) => {
  const book = inputs.reduce(applyToBook, emptyBook(100_000_000));
  return renderToStaticMarkup(<BetList bets={book.bets} onOpen={() => {}} />);
};

describe('the bet list', () => {
  it('shows the quote and the minimum while pending, the filled multiplier once accepted', () => {
    const pending = render(tap(100), admittedUnpriced);
    expect(pending).toContain('quoted 2.35× · min 2.32× · pricing at the next print');
    expect(pending).toContain('data-min-bp="23265"');
    expect(pending).toContain('data-multiplier-bp=""');
    const accepted = wsEvent({
      type: 'bet',
      id: '1765000007000-0',
      userId: USER,
      betId: BET_ID,
      status: 'accepted',
      balanceMicros: 95_000_000,
      bet: { ...CELL, multiplierBp: 23_310 },
    });
    const filled = render(tap(100), admittedUnpriced, accepted);
    expect(filled).toContain('filled 2.33× · quoted 2.35×');
    expect(filled).toContain('data-phase="accepted"');
    expect(filled).toContain('data-multiplier-bp="23310"');
  });

  it("shows a fill refused for slippage with the server's code, the price and the minimum", () => {
    const rejected = rejectedEvent('1765000007100-0', 'quote_moved');
    const unknownPrice = render(tap(0), admittedUnpriced, rejected);
    expect(unknownPrice).toContain('data-reason="quote_moved"');
    expect(unknownPrice).toContain('data-phase="rejected"');
    expect(unknownPrice).toContain(
      'Refused for slippage: the price moved, below your minimum 2.35× (slippage tolerance 0 %). No money moved.',
    );
    const priced = render(tap(0), admittedUnpriced, rejected, {
      type: 'refusal_priced',
      betId: BET_ID,
      multiplierBp: 23_120,
    });
    expect(priced).toContain('the fill print priced it at 2.31×, below your minimum 2.35×');
    expect(priced).toContain('role="status"');
  });

  it('shows a 409 quote_moved at receipt with the multiplier its body carries', () => {
    const html = render(tap(50), {
      type: 'refused',
      clientBetId: 'c1',
      code: 'quote_moved',
      multiplierBp: 22_950,
    });
    expect(html).toContain('data-phase="refused"');
    expect(html).toContain(
      'the price at receipt was 2.29×, below your minimum 2.33× (slippage tolerance 0.5 %)',
    );
  });

  it('keeps other reasons in the server’s words', () => {
    const stale = rejectedEvent('1765000008000-0', 'price_stale');
    const html = render(tap(200), admittedUnpriced, stale);
    expect(html).toContain('data-reason="price_stale"');
    expect(html).not.toContain('slippage');
  });
});

/** The server's `rejected` event for the test's bet, as ws-gateway sends it. */
function rejectedEvent(id: string, reason: string) {
  return wsEvent({
    type: 'bet',
    id,
    userId: USER,
    betId: BET_ID,
    status: 'rejected',
    balanceMicros: 100_000_000,
    reason,
  });
}
