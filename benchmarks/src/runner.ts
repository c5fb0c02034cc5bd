/**
 * Runs scenarios and writes what they measured: `out/<run-id>/` (result.json, summary.md, one SVG
 * per load run, daemon logs), and — when recording — `results/<scenario>.json`, from which
 * RESULTS.md is regenerated.
 */

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpuSpeedCheck, describeMachine, waitForQuietMachine } from './report/machine.js';
import { renderResults, renderScenario } from './report/markdown.js';
import {
  emptyOutcome,
  fail,
  type Scenario,
  type ScenarioOptions,
  type ScenarioResult,
  SHAPE_FLAGS,
} from './scenario.js';
import { BENCH_ROOT } from './stack/repo.js';

const RESULTS_DIR = join(BENCH_ROOT, 'results');
const RESULTS_MD = join(BENCH_ROOT, 'RESULTS.md');
export const ALL_COMMAND = 'pnpm --filter @tap/benchmarks bench all';

export function commandFor(scenario: string, options: ScenarioOptions): string {
  const flags = [
    ...SHAPE_FLAGS.filter(([key]) => options[key] !== undefined).map(
      ([key, flag]) => `${flag.split(' ')[0]} ${options[key]}`,
    ),
    options.quick ? '--quick' : '',
    // An A/B's setting is part of what reproduces the run.
    ...Object.entries(options.daemonEnv ?? {}).flatMap(([daemon, env]) =>
      Object.entries(env).map(([key, value]) => `--env ${daemon}:${key}=${value}`),
    ),
  ]
    .filter(Boolean)
    .join(' ');
  return `pnpm --filter @tap/benchmarks bench run ${scenario}${flags ? ` ${flags}` : ''}`;
}

export async function runScenario(
  scenario: Scenario,
  options: ScenarioOptions,
  // resultsDir and outRoot: where another package's scenarios keep their runs (the chaos suite's chaos/).
  settings: { record: boolean; command?: string; resultsDir?: string; outRoot?: string },
): Promise<ScenarioResult> {
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[:.]/g, '-')}-${scenario.name}`;
  const outDir = join(settings.outRoot ?? BENCH_ROOT, 'out', runId);
  mkdirSync(outDir, { recursive: true });
  const log = (message: string) => process.stdout.write(`[${scenario.name}] ${message}\n`);
  log(`run ${runId} → ${outDir}`);
  const busyPct = await waitForQuietMachine();
  if (busyPct > 15) log(`the machine is ${busyPct} % busy with other work; results will be pessimistic`);
  const speedBefore = cpuSpeedCheck();
  const began = Date.now();
  let outcome: Awaited<ReturnType<Scenario['run']>>;
  try {
    outcome = await scenario.run({ runId, outDir, options, log });
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    outcome = emptyOutcome();
    fail(outcome, `scenario crashed: ${message.split('\n').slice(0, 6).join(' | ')}`);
  }
  const elapsedS = Math.round((Date.now() - began) / 100) / 10;
  const speedAfter = cpuSpeedCheck();
  const result: ScenarioResult = {
    ...outcome,
    scenario: scenario.name,
    title: scenario.title,
    description: scenario.description,
    command: settings.command ?? commandFor(scenario.name, options),
    runId,
    startedAt: startedAt.toISOString(),
    elapsedS,
    machine: describeMachine(),
    machineBusyPctBefore: busyPct,
    machineSpeed: { beforePerS: speedBefore, afterPerS: speedAfter },
  };
  if (busyPct > 15) {
    result.notes.push(
      `Other work kept the machine ${busyPct} % busy when this run started: numbers are pessimistic.`,
    );
  }
  writeRun(outDir, result);
  if (settings.record) {
    const resultsDir = settings.resultsDir ?? RESULTS_DIR;
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `${scenario.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    recordFiles(outDir, resultsDir, result.recordedFiles ?? []);
  }
  log(`${result.ok ? 'ok' : 'FAILED'} in ${result.elapsedS} s — ${join(outDir, 'summary.md')}`);
  for (const failure of result.failures) log(`failure: ${failure}`);
  return result;
}

/** Copies a run's files that RESULTS.md links (flame graphs) next to the recorded JSON. */
function recordFiles(outDir: string, resultsDir: string, files: readonly string[]): void {
  for (const file of files) {
    const target = join(resultsDir, file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(outDir, file), target);
  }
}

function writeRun(outDir: string, result: ScenarioResult): void {
  writeFileSync(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, 'summary.md'), `${renderScenario(result, 1)}\n`);
}

/** Every result recorded in `dir` (none yet: empty), in the given scenario order. */
export function readResults(dir: string, order: readonly string[]): ScenarioResult[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const results = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ScenarioResult);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return results.sort((a, b) => rank(a.scenario) - rank(b.scenario));
}

/** Rebuilds RESULTS.md from every recorded result, in the given scenario order. */
export function regenerateResults(order: readonly string[]): string {
  const results = readResults(RESULTS_DIR, order);
  writeFileSync(RESULTS_MD, renderResults(results, new Date().toISOString(), ALL_COMMAND));
  return RESULTS_MD;
}
