import { createSeededRandom } from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import { advanceSimulation, DEFAULT_SIM_VENUES, initialSimState, type SimConfig } from './simulation.js';

const START = 1_764_000_000_000;
const config: SimConfig = {
  startPriceCents: 9_500_000,
  volAnnual: 0.6,
  outageMeanIntervalMs: 60_000,
  outageMinMs: 3_000,
  outageMaxMs: 8_000,
  venues: DEFAULT_SIM_VENUES,
};

function run(seed: number, durationMs: number, sliceMs: number, overrides: Partial<SimConfig> = {}) {
  const cfg = { ...config, ...overrides };
  const rng = createSeededRandom(seed);
  let state = initialSimState(cfg, START);
  const quotes = [];
  const outages = [];
  for (let t = START + sliceMs; t < START + durationMs + sliceMs; t += sliceMs) {
    const step = advanceSimulation(state, Math.min(t, START + durationMs), cfg, rng);
    state = step.state;
    quotes.push(...step.quotes);
    outages.push(...step.outages);
  }
  return { quotes, outages };
}

describe('advanceSimulation', () => {
  it('is deterministic for a seed, however the driver slices time', () => {
    const a = run(42, 60_000, 10);
    const b = run(42, 60_000, 997);
    expect(b.quotes).toEqual(a.quotes);
    expect(b.outages).toEqual(a.outages);
    expect(run(43, 60_000, 10).quotes).not.toEqual(a.quotes);
  });

  it('quotes every venue at its own rate with its own spread and latency', () => {
    const { quotes } = run(7, 10_000, 20, { outageMeanIntervalMs: 0 });
    for (const spec of DEFAULT_SIM_VENUES) {
      const mine = quotes.filter((q) => q.venue === spec.name);
      expect(mine).toHaveLength(10_000 / spec.updateIntervalMs);
      for (const q of mine) {
        expect(q.askCents - q.bidCents).toBe(2 * spec.halfSpreadCents);
        expect(Number.isInteger(q.bidCents)).toBe(true);
        expect(q.arriveAtMs - q.quotedAtMs).toBeGreaterThanOrEqual(spec.latencyMs);
        expect(q.arriveAtMs - q.quotedAtMs).toBeLessThan(spec.latencyMs + spec.latencyJitterMs);
      }
    }
  });

  it('keeps the venues close to one another (noise of a few basis points)', () => {
    const { quotes } = run(7, 10_000, 20, { outageMeanIntervalMs: 0 });
    const start = config.startPriceCents;
    for (const q of quotes) expect(Math.abs(q.bidCents - start) / start).toBeLessThan(0.01);
  });

  it('takes venues offline now and then, and they go silent for the outage', () => {
    const { quotes, outages } = run(3, 600_000, 50);
    const venuesWithOutages = new Set(outages.map((o) => o.venue));
    expect(venuesWithOutages.size).toBe(3);
    for (const outage of outages) {
      expect(outage.untilMs - outage.fromMs).toBeGreaterThanOrEqual(3_000);
      expect(outage.untilMs - outage.fromMs).toBeLessThan(8_000);
      const during = quotes.filter(
        (q) => q.venue === outage.venue && q.quotedAtMs >= outage.fromMs && q.quotedAtMs < outage.untilMs,
      );
      expect(during).toEqual([]);
    }
  });

  it('moves the true price with roughly the configured volatility', () => {
    const { quotes } = run(11, 3_600_000, 1_000, {
      outageMeanIntervalMs: 0,
      venues: [DEFAULT_SIM_VENUES[0]!],
    });
    const perSecond = quotes.filter((_, i) => i % 20 === 0).map((q) => (q.bidCents + q.askCents) / 2);
    let sumSquares = 0;
    for (let i = 1; i < perSecond.length; i += 1)
      sumSquares += Math.log(perSecond[i]! / perSecond[i - 1]!) ** 2;
    const annualised = Math.sqrt((sumSquares / (perSecond.length - 1)) * 365.25 * 86_400);
    expect(annualised).toBeGreaterThan(0.5);
    expect(annualised).toBeLessThan(0.75);
  });
});
