/**
 * Grid and pricing parameters (SPEC §3) with their defaults. A bet's terms snapshot stores
 * `configVersion`, so whoever changes any value here — or overrides one from the environment —
 * gives the result a new `configVersion`; old bets are never repriced.
 */
import { WINDOW_MAX_TABLE } from './window-max-table.js';

/** Seconds in a Julian year, the convention for annualised volatility. */
export const SECONDS_PER_YEAR = 365.25 * 86_400;

/** Converts an annualised volatility (0.3 = 30 %/year) to σ per √second. */
export function sigmaFromAnnualized(annualized: number): number {
  return annualized / Math.sqrt(SECONDS_PER_YEAR);
}

export interface PricingConfig {
  /** Identifies these values in each bet's terms snapshot. */
  configVersion: string;
  /** Window width W; every cell starts at a multiple of it. */
  windowMs: number;
  /** Band height H; every band starts at a multiple of it. */
  bandCents: number;
  /** Minimum lead LEAD between now and a cell's start. */
  leadMs: number;
  /** Horizon: a cell must start before now + horizonMs. */
  horizonMs: number;
  /** Interval δ between index prints, used by the discrete-monitoring correction. */
  printIntervalMs: number;
  /** Latency d a fast trader can exploit, used by the latency loading g. */
  latencyMs: number;
  /** House edge h: M = (1 − h) / (P + λ·g). */
  houseEdge: number;
  /** Latency loading λ. */
  latencyLoading: number;
  /** Lowest offered multiplier (1.05×). */
  multiplierBpMin: number;
  /** Highest offered multiplier (50×). */
  multiplierBpMax: number;
  /** σ floor per √second (30 %/year). */
  sigmaFloor: number;
  /** Half-life of the fast variance EWMA. */
  sigmaFastHalfLifeMs: number;
  /** Half-life of the slow variance EWMA. */
  sigmaSlowHalfLifeMs: number;
  /** Spacing of the index samples of the σ/η estimator's short scale (1-second log-returns). */
  sigmaSampleIntervalMs: number;
  /** Spacing of the estimator's long scale (5-second log-returns): σ from the two scales' difference. */
  sigmaLongSampleIntervalMs: number;
  /** The fast σ (60 s) prices only beyond this share above the slow one (0 since pricing-v2.3: sigmaFastZ measures its noise). */
  sigmaFastMargin: number;
  /**
   * The fast σ² counts only beyond this many of its own standard errors (pricing-v2.3). Its error
   * grows with the print noise (1-s returns carry 2η²), so a fixed margin let it take over 18 % of
   * the time at twice the default noise and overstated σ by 2 %; see sigma-estimator.ts.
   */
  sigmaFastZ: number;
  /**
   * Half-life of the averages η is read from: 30 min, as σ's slow one (pricing-v2.4). 4 h was
   * measured as a candidate (docs/pricing.md "η from 4-hour averages") and not adopted: a steadier
   * η̂, but the calibration did not improve. See sigma-estimator.ts.
   */
  noiseHalfLifeMs: number;
}

export const DEFAULT_PRICING_CONFIG: Readonly<PricingConfig> = Object.freeze({
  configVersion: 'pricing-v2.7',
  windowMs: 5_000,
  bandCents: 1_000,
  leadMs: 2_000,
  horizonMs: 60_000,
  printIntervalMs: 100,
  latencyMs: 50,
  houseEdge: 0.05,
  latencyLoading: 0.5,
  multiplierBpMin: 10_500,
  multiplierBpMax: 500_000,
  sigmaFloor: sigmaFromAnnualized(0.3),
  sigmaFastHalfLifeMs: 60_000,
  sigmaSlowHalfLifeMs: 1_800_000,
  sigmaSampleIntervalMs: 1_000,
  sigmaLongSampleIntervalMs: 5_000,
  sigmaFastMargin: 0,
  sigmaFastZ: 2.4,
  noiseHalfLifeMs: 1_800_000,
});

const POSITIVE_INTEGERS = [
  'windowMs',
  'bandCents',
  'leadMs',
  'horizonMs',
  'printIntervalMs',
  'multiplierBpMin',
  'multiplierBpMax',
  'sigmaFastHalfLifeMs',
  'sigmaSlowHalfLifeMs',
  'noiseHalfLifeMs',
  'sigmaSampleIntervalMs',
  'sigmaLongSampleIntervalMs',
] as const satisfies ReadonlyArray<keyof PricingConfig>;

/**
 * Every rule a config breaks, as sentences (empty when it is valid), so a service's `loadConfig`
 * can report all bad values at once.
 */
export function pricingConfigProblems(config: PricingConfig): string[] {
  const problems: string[] = [];
  if (config.configVersion.length === 0) problems.push('configVersion must not be empty');
  for (const key of POSITIVE_INTEGERS) {
    if (!Number.isSafeInteger(config[key]) || config[key] <= 0)
      problems.push(`${key} must be a positive integer`);
  }
  if (!(config.latencyMs >= 0 && Number.isFinite(config.latencyMs))) problems.push('latencyMs must be ≥ 0');
  if (!(config.houseEdge >= 0 && config.houseEdge < 1)) problems.push('houseEdge must be in [0, 1)');
  if (!(config.latencyLoading >= 0 && Number.isFinite(config.latencyLoading))) {
    problems.push('latencyLoading must be ≥ 0');
  }
  if (!(config.sigmaFloor > 0 && Number.isFinite(config.sigmaFloor))) problems.push('sigmaFloor must be > 0');
  if (!(config.sigmaFastMargin >= 0 && Number.isFinite(config.sigmaFastMargin))) {
    problems.push('sigmaFastMargin must be ≥ 0');
  }
  if (!(config.sigmaFastZ >= 0 && Number.isFinite(config.sigmaFastZ)))
    problems.push('sigmaFastZ must be ≥ 0');
  if (config.sigmaLongSampleIntervalMs <= config.sigmaSampleIntervalMs) {
    problems.push('sigmaLongSampleIntervalMs must be > sigmaSampleIntervalMs');
  }
  if (config.multiplierBpMin > config.multiplierBpMax)
    problems.push('multiplierBpMin must be ≤ multiplierBpMax');
  if (config.leadMs >= config.horizonMs) problems.push('leadMs must be < horizonMs');
  if (config.windowMs !== WINDOW_MAX_TABLE.steps * config.printIntervalMs) {
    problems.push(`windowMs must be ${WINDOW_MAX_TABLE.steps} × printIntervalMs (the noise model's table)`);
  }
  return problems;
}
