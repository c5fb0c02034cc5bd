/**
 * Property tests (fast-check) over random valid inputs: whatever the market and config, a quote
 * never carries NaN or ∞, and an offered multiplier is always an integer inside the offered range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING_CONFIG, type PricingConfig } from './pricing-config.js';
import { type CellQuote, quoteCell } from './quote-cell.js';
import { touchProbability } from './touch-probability.js';

const FLOOR = DEFAULT_PRICING_CONFIG.sigmaFloor;
const RUNS = 2_000;

const configArb: fc.Arbitrary<PricingConfig> = fc
  .record({
    printIntervalMs: fc.integer({ min: 1, max: 1_000 }),
    latencyMs: fc.integer({ min: 0, max: 1_000 }),
    houseEdge: fc.double({ min: 0, max: 0.5, noNaN: true }),
    latencyLoading: fc.double({ min: 0, max: 3, noNaN: true }),
  })
  .map((overrides) => ({ ...DEFAULT_PRICING_CONFIG, ...overrides }));

/** A cell somewhere around the index, from 2 columns before the first placeable one to beyond the horizon. */
const inputArb = fc.record({
  nowMs: fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
  column: fc.integer({ min: -2, max: 14 }),
  band: fc.integer({ min: -400, max: 400 }),
  indexPriceCents: fc.oneof(
    fc.integer({ min: 1, max: 2_000_000_000 }),
    fc.double({ min: 0.01, max: 2e9, noNaN: true }),
  ),
  sigma: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 200 * FLOOR, noNaN: true })),
  noise: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e-2, noNaN: true })),
  config: fc.oneof(fc.constant(DEFAULT_PRICING_CONFIG), configArb),
});

type InputSample = typeof inputArb extends fc.Arbitrary<infer T> ? T : never;

function quoteOf(sample: InputSample): CellQuote {
  const { nowMs, column, band, indexPriceCents, sigma, noise, config } = sample;
  const firstT0 = Math.ceil((nowMs + config.leadMs) / config.windowMs) * config.windowMs;
  const indexBand = Math.floor(indexPriceCents / config.bandCents) * config.bandCents;
  const p0 = Math.max(config.bandCents, indexBand + band * config.bandCents);
  return quoteCell({
    t0: firstT0 + column * config.windowMs,
    p0,
    nowMs,
    indexPriceCents,
    printTMs: nowMs - 50,
    sigma,
    noise,
    config,
  });
}

describe('quoteCell properties', () => {
  it('never returns NaN or ∞ for random valid inputs', () => {
    fc.assert(
      fc.property(inputArb, (sample) => {
        const quote = quoteOf(sample);
        for (const value of Object.values(quote)) {
          if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
        }
        if ('probability' in quote) {
          expect(quote.probability).toBeGreaterThanOrEqual(0);
          expect(quote.probability).toBeLessThanOrEqual(1);
          expect(quote.g).toBeGreaterThanOrEqual(0);
          expect(quote.g).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('offers only integer multipliers within [1.05×, 50×]', () => {
    fc.assert(
      fc.property(inputArb, (sample) => {
        const quote = quoteOf(sample);
        if (!quote.ok) return;
        expect(Number.isSafeInteger(quote.multiplierBp)).toBe(true);
        expect(quote.multiplierBp).toBeGreaterThanOrEqual(10_500);
        expect(quote.multiplierBp).toBeLessThanOrEqual(500_000);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses for the multiplier only when it is outside the offered range', () => {
    fc.assert(
      fc.property(inputArb, (sample) => {
        const quote = quoteOf(sample);
        if (quote.ok || quote.code !== 'cell_not_offered' || quote.reason === 'market_data_invalid') return;
        const { multiplierBp } = quote;
        const outside = multiplierBp === null || multiplierBp < 10_500 || multiplierBp > 500_000;
        expect(outside).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('touchProbability properties', () => {
  it('stays a finite probability for any band, window and σ', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        (lowerLog, height, tau1Ms, windowMs, sigma, printIntervalMs) => {
          const p = touchProbability({
            lowerLog,
            upperLog: lowerLog + height,
            tau1Ms,
            tau2Ms: tau1Ms + windowMs,
            sigma,
            printIntervalMs,
          });
          expect(Number.isFinite(p)).toBe(true);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never rises as the band moves away from the index', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 0.01, noNaN: true }),
        fc.double({ min: 1e-6, max: 0.01, noNaN: true }),
        fc.double({ min: 1e-6, max: 0.01, noNaN: true }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: FLOOR, max: 100 * FLOOR, noNaN: true }),
        (distance, step, height, tau1Ms, sigma) => {
          const at = (lowerLog: number) =>
            touchProbability({
              lowerLog,
              upperLog: lowerLog + height,
              tau1Ms,
              tau2Ms: tau1Ms + 5_000,
              sigma,
              printIntervalMs: 100,
            });
          expect(at(distance + step)).toBeLessThanOrEqual(at(distance) + 1e-15);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
