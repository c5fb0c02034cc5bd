/**
 * The search for the highest sustained rate: open-loop steps at increasing rates until one fails
 * the criteria, then a longer confirmation run at the best passing rate (and, if that fails, at
 * the steps below it, `confirmAttempts` in all). A step passes when p99 time-to-answer ≤ the limit, the achieved rate is
 * within 3 % of the offered one, errors stay under 0.1 %, and (when tracked) p99 planned time →
 * WebSocket accepted ≤ the limit too. Pure decision logic plus a driver over a `runStep` callback.
 */
import type { LoadRunResult } from './load/open-loop.js';

export interface SearchCriteria {
  p99MsMax: number;
  achievedShareMin: number;
  errorShareMax: number;
}

export const DEFAULT_CRITERIA: SearchCriteria = {
  p99MsMax: 100,
  achievedShareMin: 0.97,
  errorShareMax: 0.001,
};

export interface StepVerdict {
  ok: boolean;
  reasons: string[];
}

export function judgeStep(run: LoadRunResult, criteria: SearchCriteria = DEFAULT_CRITERIA): StepVerdict {
  const reasons: string[] = [];
  if (run.latency.p99Ms > criteria.p99MsMax)
    reasons.push(`p99 ${run.latency.p99Ms} ms > ${criteria.p99MsMax} ms`);
  if (run.accepted && run.accepted.p99Ms > criteria.p99MsMax) {
    reasons.push(`WS accepted p99 ${run.accepted.p99Ms} ms > ${criteria.p99MsMax} ms`);
  }
  if (run.achievedPerS < run.offeredPerS * criteria.achievedShareMin) {
    reasons.push(
      `achieved ${run.achievedPerS}/s < ${Math.round(criteria.achievedShareMin * 100)} % of ${run.offeredPerS}/s`,
    );
  }
  if (run.errorCount > run.sent * criteria.errorShareMax) {
    reasons.push(`${run.errorCount} errors of ${run.sent} requests`);
  }
  return { ok: reasons.length === 0, reasons };
}

export interface SearchPlan {
  rates: readonly number[];
  stepMs: number;
  stepWarmupMs: number;
  confirmMs: number;
  confirmWarmupMs: number;
  /** How many passing rates to try confirming, best first. Default 2. */
  confirmAttempts?: number;
  criteria?: SearchCriteria;
}

export interface SearchStep {
  phase: 'step' | 'confirm';
  run: LoadRunResult;
  verdict: StepVerdict;
}

export interface SearchResult {
  steps: SearchStep[];
  /** The confirmed sustained rate, or null when no confirmation held. */
  sustainedPerS: number | null;
  /** The highest rate whose (short) step passed, confirmed or not. */
  bestStepPerS: number | null;
}

export type RunStep = (
  label: string,
  ratePerS: number,
  durationMs: number,
  warmupMs: number,
) => Promise<LoadRunResult>;

export async function searchSustainedRate(plan: SearchPlan, runStep: RunStep): Promise<SearchResult> {
  const steps: SearchStep[] = [];
  const judge = (run: LoadRunResult) => judgeStep(run, plan.criteria);
  const passed: number[] = [];
  for (const rate of plan.rates) {
    const run = await runStep(`step-${rate}`, rate, plan.stepMs, plan.stepWarmupMs);
    const verdict = judge(run);
    steps.push({ phase: 'step', run, verdict });
    if (!verdict.ok) break;
    passed.push(rate);
  }
  const bestStepPerS = passed.at(-1) ?? null;
  for (const rate of passed.slice(-(plan.confirmAttempts ?? 2)).reverse()) {
    const run = await runStep(`confirm-${rate}`, rate, plan.confirmMs, plan.confirmWarmupMs);
    const verdict = judge(run);
    steps.push({ phase: 'confirm', run, verdict });
    if (verdict.ok) return { steps, sustainedPerS: rate, bestStepPerS };
  }
  return { steps, sustainedPerS: null, bestStepPerS };
}

/** The headline for a search: the confirmed rate, else what the short steps reached. */
export function sustainedHeadline(result: SearchResult, lowestRate: number, unit: string): number | string {
  if (result.sustainedPerS !== null) return result.sustainedPerS;
  if (result.bestStepPerS === null)
    return `below ${lowestRate.toLocaleString('en-US')} ${unit} (no step held)`;
  return `not confirmed (8 s steps held up to ${result.bestStepPerS.toLocaleString('en-US')} ${unit}; the longer confirmation runs did not)`;
}

/** Table rows for a search: one per step with its verdict. */
export function searchRows(result: SearchResult): (string | number | null)[][] {
  return result.steps.map(({ phase, run, verdict }) => [
    phase,
    run.offeredPerS,
    run.achievedPerS,
    run.errorCount,
    run.latency.p50Ms,
    run.latency.p99Ms,
    run.latency.maxMs,
    run.accepted ? run.accepted.p99Ms : '—',
    run.sendLag.p99Ms,
    run.generator ? run.generator.usPerRequest : '—',
    verdict.ok ? 'pass' : `fail: ${verdict.reasons.join('; ')}`,
  ]);
}

export const SEARCH_COLUMNS = [
  'phase',
  'offered/s',
  'achieved/s',
  'errors',
  'p50 ms',
  'p99 ms',
  'max ms',
  'WS accepted p99 ms',
  'send lag p99 ms',
  'generator µs/req',
  'verdict',
];
