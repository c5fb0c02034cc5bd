import { describe, expect, it } from 'vitest';
import { quoteExpectedFill } from './expected-fill.js';
import { ADAPTIVE_FILL_DELAY_DEFAULTS, adaptiveFillDelay, fillPrintsOf } from './fill-delay.js';
import { noiseShapeAt } from './noisy-touch.js';
import { DEFAULT_PRICING_CONFIG as config, sigmaFromAnnualized } from './pricing-config.js';
import { multiplierBpOf, priceCell } from './quote-cell.js';
import { quoteCellFromPrint } from './quote-from-print.js';
import { createSeededRandom } from './seeded-random.js';

const bp = 1e-4;
const nowMs = 1_700_000_000_050;
/** The simulator's default market at 60 %/yr, filtered (0.42 bp error) and raw (η 0.67 bp). */
const raw = { t: nowMs - 50, priceCents: 9_500_300, sigma: sigmaFromAnnualized(0.6), noise: 0.67 * bp };
const filtered = { ...raw, filteredCents: 9_500_340, filteredNoise: 0.42 * bp };
const firstT0 = Math.ceil((nowMs + config.leadMs) / config.windowMs) * config.windowMs;
const atIndex = Math.floor(raw.priceCents / config.bandCents) * config.bandCents;
const cellAt = (column: number, band: number) => ({
  t0: firstT0 + column * config.windowMs,
  p0: atIndex + band * config.bandCents,
  nowMs,
});
const noLoading = { ...config, latencyLoading: 0 };

describe('quoteExpectedFill', () => {
  it('is the plain quote when the bet fills at receipt (0 prints)', () => {
    for (const print of [raw, filtered]) {
      expect(quoteExpectedFill(print, cellAt(0, 1), 0, config)).toEqual(
        quoteCellFromPrint(print, cellAt(0, 1), config),
      );
    }
  });

  it("keeps the filtered index's probability: its moves are what the quote's horizon already priced", () => {
    // The filtered index is a martingale: E[P at the fill] is P now, so without the loading the
    // quote at the expected fill is the receipt quote, at every delay and cell.
    for (const k of [1, 7, 20]) {
      for (const band of [-3, -1, 0, 1, 4]) {
        const now = quoteCellFromPrint(filtered, cellAt(0, band), noLoading);
        const atFill = quoteExpectedFill(filtered, cellAt(0, band), k, noLoading);
        if (!('probability' in now) || !('probability' in atFill)) throw new Error('not priced');
        expect(atFill.probability).toBeCloseTo(now.probability, 12);
        expect(atFill.multiplierBp).toBe(now.multiplierBp);
        expect(atFill.tau1Ms).toBe(now.tau1Ms - k * config.printIntervalMs);
      }
    }
  });

  it('charges the loading of the shorter horizon: a near cell quotes lower than at receipt', () => {
    const now = quoteCellFromPrint(filtered, cellAt(0, 0), config);
    const atFill = quoteExpectedFill(filtered, cellAt(0, 0), 7, config);
    if (!now.ok || !atFill.ok) throw new Error('not offered');
    expect(atFill.g).toBeGreaterThan(now.g);
    expect(atFill.multiplierBp).toBeLessThan(now.multiplierBp);
    expect(atFill.multiplierBp).toBe(multiplierBpOf(atFill.probability, atFill.g, config));
  });

  it("adds the redrawn print noise to a raw index (AR(1), the table's lag-1 at its r) and the diffusion", () => {
    const k = 3;
    const atFill = quoteExpectedFill(raw, cellAt(1, 1), k, config);
    if (!('probability' in atFill)) throw new Error('not priced');
    // r = 0.67 bp / (σ√δ) = 1.98 print steps: the table's persistence there is 0.3 (pricing-v2.7,
    // 0.3 from r = 1.5 up; v2.4 had 0.25 at every r).
    const { lag1 } = noiseShapeAt(raw.noise / (raw.sigma * Math.sqrt(config.printIntervalMs / 1_000)));
    expect(lag1).toBe(0.3);
    const moveVar =
      raw.sigma ** 2 * ((k * config.printIntervalMs) / 1_000) + 2 * raw.noise ** 2 * (1 - lag1 ** k);
    const expected = priceCell(
      {
        p0: cellAt(1, 1).p0,
        indexPriceCents: raw.priceCents,
        tau1Ms: atFill.tau1Ms,
        tau2Ms: atFill.tau2Ms,
        sigma: raw.sigma,
        noise: raw.noise,
        indexNoise: Math.sqrt(raw.noise ** 2 + moveVar),
      },
      config,
    );
    expect(atFill.probability).toBeCloseTo(expected.probability, 12);
  });

  it("is the fill's expected P and loading, by Monte-Carlo over the index's move", () => {
    const random = createSeededRandom(22);
    for (const [print, k, column, band] of [
      [filtered, 7, 0, 0],
      [filtered, 20, 0, 0],
      [filtered, 12, 0, 2],
      [raw, 5, 1, -1],
    ] as const) {
      const atFill = quoteExpectedFill(print, cellAt(column, band), k, config);
      if (!atFill.ok) throw new Error('not offered');
      const sd = Math.sqrt(
        print.sigma ** 2 * ((k * config.printIntervalMs) / 1_000) +
          ('filteredCents' in print ? 0 : 2 * print.noise ** 2 * (1 - 0.25 ** k)),
      );
      const s = 'filteredCents' in print ? print.filteredCents : print.priceCents;
      const n = 6_000;
      let [sumP, sumP2, sumG] = [0, 0, 0];
      for (let i = 0; i < n; i++) {
        const fill = priceCell(
          {
            p0: cellAt(column, band).p0,
            indexPriceCents: s * Math.exp(sd * random.normal()),
            tau1Ms: atFill.tau1Ms,
            tau2Ms: atFill.tau2Ms,
            sigma: print.sigma,
            noise: print.noise,
            indexNoise: atFill.indexNoise,
          },
          config,
        );
        [sumP, sumP2, sumG] = [sumP + fill.probability, sumP2 + fill.probability ** 2, sumG + fill.g];
      }
      const meanP = sumP / n;
      const seP = Math.sqrt((sumP2 / n - meanP ** 2) / n);
      // P is exact (a convolution): within 4 standard errors; g by quadrature: within 7 % of E[g].
      expect(Math.abs(atFill.probability - meanP)).toBeLessThan(4 * seP + 1e-4);
      expect(Math.abs(atFill.g / (sumG / n) - 1)).toBeLessThan(0.07);
    }
  });

  it('keeps the offered range and the placeable rules', () => {
    for (let column = 0; column < 11; column++) {
      for (let band = -12; band <= 12; band++) {
        const q = quoteExpectedFill(filtered, cellAt(column, band), 7, config);
        if (q.ok) {
          expect(q.multiplierBp).toBeGreaterThanOrEqual(config.multiplierBpMin);
          expect(q.multiplierBp).toBeLessThanOrEqual(config.multiplierBpMax);
        } else expect(q.code).toBe('cell_not_offered');
      }
    }
    const tooSoon = { ...cellAt(0, 0), nowMs: firstT0 - config.leadMs + 1 };
    expect(quoteExpectedFill(filtered, tooSoon, 7, config)).toMatchObject({ code: 'cell_not_placeable' });
    // A fill expected after the window starts prices nothing (the batcher could not fill it either).
    const lateFill = Math.ceil((firstT0 - filtered.t) / config.printIntervalMs);
    expect(quoteExpectedFill(filtered, cellAt(0, 0), lateFill, config)).toEqual({
      ok: false,
      code: 'cell_not_offered',
      reason: 'market_data_invalid',
    });
  });
});

describe('fillPrintsOf', () => {
  it('is the fixed count, or the adaptive rule from the print and the receipt', () => {
    expect(fillPrintsOf({ kind: 'fixed', prints: 7 }, filtered, nowMs, 100)).toBe(7);
    const rule = ADAPTIVE_FILL_DELAY_DEFAULTS;
    expect(fillPrintsOf({ kind: 'adaptive', rule }, filtered, nowMs, 100)).toBe(
      adaptiveFillDelay(filtered, nowMs, rule, 100).prints,
    );
  });
});
