import type { BetEntry, Terms } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { type AcceptedBet, decodeAnswer, decodeRecord, encodeAnswer } from './idempotency-record.js';
import { betEntryJson } from './place-bet.js';

const terms: Terms = {
  indexPriceCents: 9_512_345,
  printId: 1_234_567,
  sigma: 0.00041234567,
  noise: 0.0000213456,
  indexNoise: 1.19876e-7,
  tau1Ms: 1_000,
  tau2Ms: 6_000,
  probability: 0.31371234,
  g: 0.05,
  multiplierBp: 21_500,
  configVersion: 'pricing-v2.3',
};
const priced: AcceptedBet = {
  betId: '01JAB00000000000000000000A',
  status: 'pending',
  multiplierBp: 21_500,
  terms,
};
const nextPrint: AcceptedBet = {
  betId: '01JAB00000000000000000000B',
  status: 'pending',
  entry: 'next_print',
};

describe('the idempotent answer', () => {
  it.each([
    ['priced at receipt', priced],
    ['a next-tick entry', nextPrint],
  ])('writes the 202 body of a bet %s exactly as JSON.stringify does', (_, bet) => {
    expect(encodeAnswer(bet, JSON.stringify(terms)).json).toBe(JSON.stringify(bet));
  });

  it.each([
    ['priced at receipt', priced],
    ['a next-tick entry', nextPrint],
  ])('gives a retry of a bet %s the same body and the same bytes', (_, bet) => {
    const { answer, json } = encodeAnswer(bet, JSON.stringify(terms));
    expect(decodeAnswer(answer)).toEqual({ body: bet, json });
    expect(decodeRecord(`1:2:3:4|${answer}`)).toEqual({
      fingerprint: '1:2:3:4',
      answer: { body: bet, json },
    });
  });
});

describe('betEntryJson', () => {
  const entry: BetEntry = {
    betId: priced.betId,
    userId: `0x${'a'.repeat(40)}`,
    clientBetId: '123e4567-e89b-42d3-a456-426614174000',
    t0: 1_765_000_010_000,
    p0: 9_513_000,
    windowMs: 5_000,
    bandCents: 1_000,
    stakeMicros: 1_000_000,
    multiplierBp: 21_500,
    placedAt: 1_765_000_000_123,
    terms,
  };

  it('writes the entry as JSON.stringify does, around the terms encoded once', () => {
    expect(betEntryJson(entry, JSON.stringify(terms))).toBe(JSON.stringify(entry));
  });

  it('keeps a next-tick entry’s nextPrint after its terms', () => {
    const delayed: BetEntry = { ...entry, nextPrint: { minMultiplierBp: 20_000, delayPrints: 5 } };
    expect(betEntryJson(delayed, JSON.stringify(terms))).toBe(JSON.stringify(delayed));
  });
});
