/**
 * The touch probability P of a cell under the two-part model that the settling prints follow
 * (SPEC §3 "Calibrated on what settles"): a driftless Brownian true price with diffusion σ per
 * √second, seen through prints every δ that each add their own micro-noise of standard deviation η
 * (log units). Venue noise and the median switching between venues make the index at the 100 ms
 * scale far noisier than its diffusion (measured: σ from 100 ms returns ≈ 2.1× σ from 1 s returns),
 * and a $10 band is about 1 bp of BTC, so that noise decides many touches.
 *
 * With the band [a, b] in log space relative to the index S, the window is touched unless all its
 * prints stay below a or all stay above b (disjoint events), and by symmetry of the model
 *
 *   P = 1 − G(a) − G(−b),   G(c) = P(Mx + X < c)
 *
 * where Mx is the highest of the window's prints relative to the true price at its first print
 * (its law F is the Monte-Carlo table of window-max-table.ts, in units of one print step σ√δ and
 * for the noise ratio r = η/(σ√δ)), and X ~ N(0, σ²·(τ1 − δ/2) + η²) is how far that true price
 * lies from S: the diffusion until the first print of the window (the print in effect at t0 is on
 * average δ/2 before t0) plus the error of S itself (η for a print, less for the filtered index). G is the convolution of F with that normal,
 * integrated by Simpson's rule over the range where F is neither 0 nor 1 (the integrand is smooth
 * at the step chosen, so the quadrature error is far below the table's Monte-Carlo error).
 *
 * Bounds: r above the table's last ratio (16) is priced at 16 (η is then ≥ 16 print steps, far
 * beyond any feed we accept); the window must hold `steps` prints (W/δ = 50, checked by
 * pricingConfigProblems).
 */
import { normalCdf } from './normal.js';
import { WINDOW_MAX_TABLE } from './window-max-table.js';

export interface NoisyTouchInput {
  /** ln(p0 / S). */
  lowerLog: number;
  /** ln((p0 + H) / S), ≥ lowerLog. */
  upperLog: number;
  /** t0 − now, ms; negative counts as 0. */
  tau1Ms: number;
  /** Diffusion volatility of the true log price per √second. */
  sigma: number;
  /** Standard deviation of one print's micro-noise, log units (η). */
  noise: number;
  /**
   * Standard deviation of the error of S itself, log units: η when S is the last print (the
   * default), the filter's error when S is the filtered index (index-filter.ts), 0 for a trader
   * who knows the true price.
   */
  indexNoise?: number;
  /** δ, ms between prints. */
  printIntervalMs: number;
}

/** The shape of a window-maximum table (window-max-table.ts): rows of F(c; r) per noise ratio. */
export interface WindowMaxTable {
  steps: number;
  xMin: number;
  xStep: number;
  noiseRatios: readonly number[];
  cdf: readonly (readonly number[])[];
}

/** Integration range in standard deviations of X; beyond ±8 the normal has mass < 1e-15. */
const Z_LIMIT = 8;
/** Simpson step in z: at most this, and at most this share of the maximum's spread L/s. */
const Z_STEP_MAX = 0.25;
const Z_STEP_SPREAD_SHARE = 0.3;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The print noise's shape the shipped table assumes at noise ratio r (AR(1) lag-1, mixture V). */
export interface NoiseShape {
  lag1: number;
  varianceRatio: number;
}

/**
 * The shipped table's noise shape at noise ratio `ratio` (linear between its rows, clamped to its
 * range): the fill-delay quote's redrawn noise and the Monte-Carlo test read the same shape the
 * table was built with (pricing-v2.6: the persistence depends on r).
 */
export function noiseShapeAt(ratio: number): NoiseShape {
  const { noiseRatios, noiseShape } = WINDOW_MAX_TABLE;
  // NaN (σ = η = 0) reads the first row; beyond the last row, the last row.
  const { i, weight } = rowPosition(noiseRatios, ratio > 0 ? ratio : 0);
  const w = Math.max(0, weight);
  const at = (xs: readonly number[]) => xs[i]! + w * (xs[i + 1]! - xs[i]!);
  return { lag1: at(noiseShape.lag1s), varianceRatio: at(noiseShape.varianceRatios) };
}

/**
 * Where a noise ratio falls among the table's rows: row `i` and the weight (≤ 1) of row `i + 1` —
 * the one lookup of the price (rowPair) and of the noise shape (noiseShapeAt).
 */
function rowPosition(ratios: readonly number[], ratio: number): { i: number; weight: number } {
  let i = 0;
  while (i < ratios.length - 2 && ratios[i + 1]! <= ratio) i++;
  return { i, weight: Math.min(1, (ratio - ratios[i]!) / (ratios[i + 1]! - ratios[i]!)) };
}

/** P under the shipped table (window-max-table.ts): the price. */
export const noisyTouchProbability = createNoisyTouch(WINDOW_MAX_TABLE);

/**
 * P under any window-maximum table of the same layout: the price's function for the shipped table,
 * and for a candidate table the calibration tools compare against it before one is shipped.
 */
export function createNoisyTouch(table: WindowMaxTable): (input: NoisyTouchInput) => number {
  const grid: TableGrid = {
    table,
    ratioMax: table.noiseRatios[table.noiseRatios.length - 1]!,
    columns: table.cdf[0]!.length,
    xMax: table.xMin + (table.cdf[0]!.length - 1) * table.xStep,
  };
  return (input) => touchProbabilityOn(grid, input);
}

interface TableGrid {
  table: WindowMaxTable;
  ratioMax: number;
  columns: number;
  xMax: number;
}

/** The noise ratio's two neighbouring table rows and the weight of the upper one. */
interface RowPair {
  lower: readonly number[];
  upper: readonly number[];
  lowerScale: number;
  upperScale: number;
  weight: number;
}

function touchProbabilityOn(grid: TableGrid, input: NoisyTouchInput): number {
  const lo = Math.min(input.lowerLog, input.upperLog);
  const hi = Math.max(input.lowerLog, input.upperLog);
  const step = input.sigma * Math.sqrt(Math.max(0, input.printIntervalMs) / 1000);
  if (!(step > 0)) return lo <= 0 && hi >= 0 ? 1 : 0;
  const ratio = Math.min(grid.ratioMax, Math.max(0, input.noise / step));
  const rows = rowPair(grid, ratio);
  const stepsBefore = Math.max(0, input.tau1Ms / input.printIntervalMs - 0.5);
  const indexRatio =
    input.indexNoise === undefined ? ratio : Math.min(grid.ratioMax, Math.max(0, input.indexNoise / step));
  const spread = Math.sqrt(stepsBefore + indexRatio * indexRatio);
  const p =
    1 - belowProbability(grid, lo / step, spread, rows) - belowProbability(grid, -hi / step, spread, rows);
  return Math.min(1, Math.max(0, p));
}

function rowPair({ table }: TableGrid, ratio: number): RowPair {
  const { i, weight } = rowPosition(table.noiseRatios, ratio);
  const r0 = table.noiseRatios[i]!;
  const r1 = table.noiseRatios[i + 1]!;
  return {
    lower: table.cdf[i]!,
    upper: table.cdf[i + 1]!,
    lowerScale: Math.sqrt(table.steps + r0 * r0),
    upperScale: Math.sqrt(table.steps + r1 * r1),
    weight,
  };
}

/** F(c; r): the table's rows interpolated linearly in c/L and then in r. */
function maxCdf(grid: TableGrid, c: number, rows: RowPair): number {
  const f0 = rowAt(grid, rows.lower, c / rows.lowerScale);
  const f1 = rowAt(grid, rows.upper, c / rows.upperScale);
  return f0 + rows.weight * (f1 - f0);
}

function rowAt({ table, xMax, columns }: TableGrid, row: readonly number[], x: number): number {
  if (x <= table.xMin) return 0;
  if (x >= xMax) return 1;
  const position = (x - table.xMin) / table.xStep;
  // x just below the last column can round to it: interpolate in the last interval instead.
  const j = Math.min(columns - 2, Math.floor(position));
  const f = row[j]!;
  return f + (position - j) * (row[j + 1]! - f);
}

/**
 * G(c) = ∫ F(c − s·z) φ(z) dz: the probability that every print of the window stays below c
 * (units of one print step), the true price at the window's start being N(0, s²) away.
 */
function belowProbability(grid: TableGrid, c: number, spread: number, rows: RowPair): number {
  const widest = Math.max(rows.lowerScale, rows.upperScale);
  // F = 1 where c − s·z ≥ xMax·L (z ≤ zOne), F = 0 where c − s·z ≤ xMin·L (z ≥ zZero).
  const zOne = (c - grid.xMax * widest) / spread;
  const zZero = (c - grid.table.xMin * widest) / spread;
  if (zZero <= -Z_LIMIT) return 0;
  if (zOne >= Z_LIMIT) return 1;
  const from = Math.max(-Z_LIMIT, zOne);
  const to = Math.min(Z_LIMIT, zZero);
  const stepTarget = Math.min(Z_STEP_MAX, (Z_STEP_SPREAD_SHARE * Math.min(rows.lowerScale, widest)) / spread);
  const intervals = 2 * Math.max(4, Math.ceil((to - from) / stepTarget / 2));
  const h = (to - from) / intervals;
  let sum = 0;
  for (let k = 0; k <= intervals; k++) {
    const z = from + k * h;
    const weight = k === 0 || k === intervals ? 1 : k % 2 === 1 ? 4 : 2;
    sum += weight * maxCdf(grid, c - spread * z, rows) * Math.exp(-0.5 * z * z);
  }
  return normalCdf(from) + (sum * h * INV_SQRT_2PI) / 3;
}
