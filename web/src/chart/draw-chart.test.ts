import { describe, expect, it } from 'vitest';
import type { BetPhase } from '../bets/bet-book.js';
import { cellBetLabels } from './draw-chart.js';

const bets = (...phases: BetPhase[]) => phases.map((phase) => ({ phase }));

describe('cellBetLabels (several bets on one cell)', () => {
  it('names one bet by its phase', () => {
    expect(cellBetLabels(bets('accepted'), 3)).toEqual(['accepted']);
  });

  it('gives one line per phase with a count, in the order the phases first appear', () => {
    expect(cellBetLabels(bets('accepted', 'rejected', 'accepted'), 3)).toEqual(['accepted ×2', 'rejected']);
  });

  it('says how many more bets it could not fit', () => {
    expect(cellBetLabels(bets('won', 'lost', 'lost', 'void', 'pending'), 2)).toEqual(['won', '+4 more']);
    expect(cellBetLabels(bets('won', 'lost'), 1)).toEqual(['2 bets']);
  });
});
