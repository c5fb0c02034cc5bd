import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICING_CONFIG,
  type PricingConfig,
  pricingConfigProblems,
  sigmaFromAnnualized,
} from './pricing-config.js';

describe('pricing config', () => {
  it('holds the SPEC §3 defaults', () => {
    expect(DEFAULT_PRICING_CONFIG).toMatchObject({
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
      sigmaFastHalfLifeMs: 60_000,
      sigmaSlowHalfLifeMs: 1_800_000,
      sigmaSampleIntervalMs: 1_000,
      sigmaLongSampleIntervalMs: 5_000,
    });
    expect(DEFAULT_PRICING_CONFIG.sigmaFloor).toBeCloseTo(5.3403e-5, 8);
    expect(DEFAULT_PRICING_CONFIG.configVersion).not.toBe('');
    expect(Object.isFrozen(DEFAULT_PRICING_CONFIG)).toBe(true);
  });

  it('converts annualised volatility with a 365.25-day year', () => {
    expect(sigmaFromAnnualized(1) ** 2 * 365.25 * 86_400).toBeCloseTo(1, 14);
  });

  it('finds no problem in the defaults', () => {
    expect(pricingConfigProblems(DEFAULT_PRICING_CONFIG)).toEqual([]);
  });

  it('lists every bad value, not just the first', () => {
    const bad: PricingConfig = {
      ...DEFAULT_PRICING_CONFIG,
      configVersion: '',
      windowMs: 0,
      bandCents: 10.5,
      houseEdge: 1,
      latencyLoading: -1,
      latencyMs: Number.NaN,
      sigmaFloor: 0,
      sigmaFastMargin: -1,
      sigmaLongSampleIntervalMs: 1_000,
      multiplierBpMin: 600_000,
      leadMs: 60_000,
    };
    expect(pricingConfigProblems(bad)).toEqual([
      'configVersion must not be empty',
      'windowMs must be a positive integer',
      'bandCents must be a positive integer',
      'latencyMs must be ≥ 0',
      'houseEdge must be in [0, 1)',
      'latencyLoading must be ≥ 0',
      'sigmaFloor must be > 0',
      'sigmaFastMargin must be ≥ 0',
      'sigmaLongSampleIntervalMs must be > sigmaSampleIntervalMs',
      'multiplierBpMin must be ≤ multiplierBpMax',
      'leadMs must be < horizonMs',
      "windowMs must be 50 × printIntervalMs (the noise model's table)",
    ]);
  });
});
