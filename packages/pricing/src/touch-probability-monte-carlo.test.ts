/**
 * Checks the closed-form P (with the discrete-monitoring correction) against a Monte-Carlo
 * simulation of the process it prices: log price is Brownian with σ per √second, the index prints
 * every δ = 100 ms (integer cents) starting at `now`, and a cell wins iff the window's low/high —
 * over the print in effect at t0 and every print with t0 < t < t0 + W — satisfy
 * low ≤ p0 + H and high ≥ p0 (SPEC §4). Seeded, so every run sees the same paths.
 *
 * Cells: σ at 30 %, 80 % and 250 %/year (where the corrected levels cross), t0 2 s, 9.877 s and
 * 55.05 s ahead (with and without a print exactly at t0), bands from 4 below to 3 above the index.
 * Tolerance per cell: |P_mc − P| ≤ 4·stderr + 0.005, stderr = √(P(1 − P)/paths); the 0.005 is
 * the model error we accept (measured within ±0.0055 with 200k paths per cell, depending mostly
 * on whether a print falls exactly on t0). Pooled over the cells, P must not be below the
 * simulation by more than 0.002 on average.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING_CONFIG, type PricingConfig, sigmaFromAnnualized } from './pricing-config.js';
import { priceCell } from './quote-cell.js';
import { createSeededRandom, type SeededRandom } from './seeded-random.js';

const CONFIG: PricingConfig = DEFAULT_PRICING_CONFIG;
const INDEX_CENTS = 10_000_450;
const INDEX_BAND_P0 = 10_000_000;
const PATHS = 20_000;
const MODEL_TOLERANCE = 0.005;

interface Cell {
  p0: number;
  tau1Ms: number;
  sigma: number;
}

/** Fraction of simulated paths whose window candle touches the band. */
function simulateWinRate(cell: Cell, paths: number, random: SeededRandom): number {
  let wins = 0;
  for (let path = 0; path < paths; path++) {
    if (pathTouches(cell, random)) wins++;
  }
  return wins / paths;
}

/**
 * One path from now to the window's end. low ≤ p0 + H and high ≥ p0 holds as soon as one print is
 * inside the band or the prints so far lie on both sides of it (a jump clean over the band), so
 * the path can stop there.
 */
function pathTouches(cell: Cell, random: SeededRandom): boolean {
  const { printIntervalMs: delta, windowMs, bandCents } = CONFIG;
  // The print in effect at t0 is the last one at or before it; prints are at now + k·δ.
  const firstPrintMs = Math.floor(cell.tau1Ms / delta) * delta;
  const stepSd = cell.sigma * Math.sqrt(delta / 1000);
  let logPrice = cell.sigma * Math.sqrt(firstPrintMs / 1000) * random.normal();
  let below = false;
  let above = false;
  for (let t = firstPrintMs; t < cell.tau1Ms + windowMs; t += delta) {
    if (t > firstPrintMs) logPrice += stepSd * random.normal();
    const priceCents = Math.round(INDEX_CENTS * Math.exp(logPrice));
    if (priceCents < cell.p0) below = true;
    else if (priceCents > cell.p0 + bandCents) above = true;
    else return true;
    if (below && above) return true;
  }
  return false;
}

function closedForm(cell: Cell): number {
  const input = { ...cell, indexPriceCents: INDEX_CENTS, tau2Ms: cell.tau1Ms + CONFIG.windowMs };
  return priceCell(input, CONFIG).probability;
}

function cells(annualVols: readonly number[], bandOffsets: readonly number[]): Cell[] {
  const out: Cell[] = [];
  for (const annual of annualVols) {
    for (const tau1Ms of [2_000, 9_877, 55_050]) {
      for (const k of bandOffsets) {
        out.push({ p0: INDEX_BAND_P0 + k * CONFIG.bandCents, tau1Ms, sigma: sigmaFromAnnualized(annual) });
      }
    }
  }
  return out;
}

describe('touch probability against Monte-Carlo', () => {
  it('matches a Monte-Carlo simulation of the discrete process', () => {
    const random = createSeededRandom(20_251_125);
    const differences: number[] = [];
    for (const cell of cells([0.3, 0.8, 2.5], [-4, -1, 0, 1, 3])) {
      const p = closedForm(cell);
      const simulated = simulateWinRate(cell, PATHS, random);
      const stderr = Math.sqrt((p * (1 - p)) / PATHS);
      expect(Math.abs(simulated - p), JSON.stringify({ cell, p, simulated })).toBeLessThanOrEqual(
        4 * stderr + MODEL_TOLERANCE,
      );
      differences.push(p - simulated);
    }
    // Pooled over all cells the closed form must not understate P, which would overpay winners.
    const meanDifference = differences.reduce((sum, d) => sum + d, 0) / differences.length;
    expect(meanDifference).toBeGreaterThan(-0.002);
  });
});
