import { describe, expect, it } from 'vitest';
import { judgeStep, searchRows, searchSustainedRate, sustainedHeadline } from './rate-search.js';
import { aLatency, aLoadRun } from './testing/fixtures.js';

describe('judgeStep', () => {
  it('passes a step within every criterion', () => {
    expect(judgeStep(aLoadRun())).toEqual({ ok: true, reasons: [] });
  });

  it('names every broken criterion', () => {
    const run = aLoadRun({
      latency: aLatency({ p99Ms: 150 }),
      accepted: aLatency({ p99Ms: 300 }),
      achievedPerS: 2_000,
      errorCount: 100,
    });
    const verdict = judgeStep(run);
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons).toHaveLength(4);
    expect(verdict.reasons.join(' ')).toMatch(
      /p99 150 ms.*WS accepted p99 300 ms.*achieved 2000\/s.*100 errors/,
    );
  });
});

describe('searchSustainedRate', () => {
  const fakeServer = (capacityPerS: number) => async (label: string, rate: number) =>
    aLoadRun({
      label,
      offeredPerS: rate,
      achievedPerS: Math.min(rate, capacityPerS),
      latency: aLatency({ p99Ms: rate <= capacityPerS ? 5 : 2_000 }),
    });
  const plan = {
    rates: [1_000, 2_000, 3_000, 4_000],
    stepMs: 1,
    stepWarmupMs: 0,
    confirmMs: 1,
    confirmWarmupMs: 0,
  };

  it('stops at the first failing step and confirms the best passing rate', async () => {
    const result = await searchSustainedRate(plan, fakeServer(2_500));
    expect(result.steps.map((s) => `${s.phase}-${s.run.offeredPerS}`)).toEqual([
      'step-1000',
      'step-2000',
      'step-3000',
      'confirm-2000',
    ]);
    expect(result.sustainedPerS).toBe(2_000);
    expect(searchRows(result)[2]![10]).toMatch(/^fail: /);
  });

  it('falls back to the step below when the confirmation fails', async () => {
    let confirmations = 0;
    const result = await searchSustainedRate(plan, async (label, rate) => {
      if (label.startsWith('confirm')) confirmations += 1;
      const flaky = label === 'confirm-2000';
      return aLoadRun({
        label,
        offeredPerS: rate,
        latency: aLatency({ p99Ms: flaky || rate > 2_000 ? 500 : 5 }),
      });
    });
    expect(confirmations).toBe(2);
    expect(result.sustainedPerS).toBe(1_000);
  });

  it('says what the steps reached when no confirmation holds', async () => {
    const result = await searchSustainedRate({ ...plan, confirmAttempts: 3 }, async (label, rate) =>
      aLoadRun({
        label,
        offeredPerS: rate,
        latency: aLatency({ p99Ms: label.startsWith('confirm') || rate > 3_000 ? 500 : 5 }),
      }),
    );
    expect(result.steps.filter((s) => s.phase === 'confirm').map((s) => s.run.offeredPerS)).toEqual([
      3_000, 2_000, 1_000,
    ]);
    expect(result.sustainedPerS).toBeNull();
    expect(result.bestStepPerS).toBe(3_000);
    expect(sustainedHeadline(result, 1_000, 'bets/s')).toMatch(
      /^not confirmed \(8 s steps held up to 3,000 bets\/s/,
    );
  });

  it('reports no sustained rate when even the first step fails', async () => {
    const result = await searchSustainedRate(plan, fakeServer(10));
    expect(result.sustainedPerS).toBeNull();
    expect(result.steps).toHaveLength(1);
    expect(sustainedHeadline(result, 1_000, 'bets/s')).toBe('below 1,000 bets/s (no step held)');
  });
});
