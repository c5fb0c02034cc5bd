/**
 * Checks the quoted P (the two-part model of noisy-touch.ts) against a Monte-Carlo simulation of
 * the process it prices: the true log price is Brownian with σ per √second; the index prints every
 * δ = 100 ms (integer cents), each print the true price times e^{η·Z} with its own noise, Z of unit
 * variance, persistent and heavy-tailed as the table assumes (AR(1) from print to print, a normal scale
 * mixture, both depending on the noise ratio; pricing-v2.6); the index
 * S the bet is priced from is a print with normal noise of standard deviation η (the model's X), at `now`; a cell wins iff the window's low/high —
 * over the print in effect at t0 and every print with t0 < t < t0 + W — satisfy low ≤ p0 + H and
 * high ≥ p0 (SPEC §4). Seeded, so every run sees the same paths.
 *
 * Cells: σ at 30 %, 80 % and 250 %/year, η 0 and 1 bp (5.9 print steps at 30 %/year, 0.7 at 250 %),
 * t0 2 s, 9.877 s and 55.05 s ahead (with and without a print exactly at t0), bands from 4 below to
 * 3 above the index. Tolerance per cell: |P_mc − P| ≤ 4·stderr + 0.004, stderr = √(P(1 − P)/paths);
 * the 0.004 is the model error we accept (the table's own Monte-Carlo error is ≤ 0.0004; the rest is
 * where the print in effect at t0 falls, which the model averages over δ). Pooled over the cells, P
 * must not be below the simulation by more than 0.002 on average. The calibration tool checks the
 * same on the simulated venues' prints (benchmarks, `calibrate run`).
 */
import { describe, expect, it } from 'vitest';
import { type NoiseShape, noiseShapeAt } from './noisy-touch.js';
import { DEFAULT_PRICING_CONFIG, type PricingConfig, sigmaFromAnnualized } from './pricing-config.js';
import { priceCell } from './quote-cell.js';
import { createSeededRandom, type SeededRandom } from './seeded-random.js';
import { WINDOW_MAX_TABLE } from './window-max-table.js';

const CONFIG: PricingConfig = DEFAULT_PRICING_CONFIG;
const INDEX_CENTS = 10_000_450;
const INDEX_BAND_P0 = 10_000_000;
const PATHS = 12_000;
const MODEL_TOLERANCE = 0.004;
const MIX_SHARE = WINDOW_MAX_TABLE.noiseShape.share;

/** Successive prints' noise in units of η: AR(1) and scale-mixed, the table's shape at this r. */
function createPrintNoise(random: SeededRandom, { lag1, varianceRatio }: NoiseShape): () => number {
  const lowSd = 1 / Math.sqrt(1 - MIX_SHARE + MIX_SHARE * varianceRatio);
  const highSd = lowSd * Math.sqrt(varianceRatio);
  let z = random.normal();
  let first = true;
  return () => {
    if (!first) z = lag1 * z + Math.sqrt(1 - lag1 * lag1) * random.normal();
    first = false;
    return (random.uniform() < MIX_SHARE ? highSd : lowSd) * z;
  };
}

interface Cell {
  p0: number;
  tau1Ms: number;
  sigma: number;
  noise: number;
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
  // S is a print too: the true price now is S without that print's noise.
  let logPrice =
    -cell.noise * random.normal() + cell.sigma * Math.sqrt(firstPrintMs / 1000) * random.normal();
  const printNoise = createPrintNoise(random, noiseShapeAt(cell.noise / (stepSd > 0 ? stepSd : 1)));
  let below = false;
  let above = false;
  for (let t = firstPrintMs; t < cell.tau1Ms + windowMs; t += delta) {
    if (t > firstPrintMs) logPrice += stepSd * random.normal();
    const priceCents = Math.round(INDEX_CENTS * Math.exp(logPrice + cell.noise * printNoise()));
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
    for (const noise of [0, 1e-4]) {
      for (const tau1Ms of [2_000, 9_877, 55_050]) {
        for (const k of bandOffsets) {
          out.push({
            p0: INDEX_BAND_P0 + k * CONFIG.bandCents,
            tau1Ms,
            sigma: sigmaFromAnnualized(annual),
            noise,
          });
        }
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
  }, 120_000);
});
