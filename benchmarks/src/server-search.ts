/**
 * Side-by-side servers (the HTTP and stream ceilings, the naive SQLite design): start the server
 * as a child process — plus a Redis when it needs one — and run the same open-loop rate search as
 * ingest-max with the same POST /v1/bets requests from 1,000 synthetic sessions. After the search,
 * `count` says how many bets the server stored, which must equal the 202s it gave.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess } from '@tap/testkit/standalone';
import { measuredWindow, runOpenLoop } from './load/open-loop.js';
import type { WalletSession } from './load/worker-protocol.js';
import {
  judgeStep,
  SEARCH_COLUMNS,
  searchRows,
  searchSustainedRate,
  sustainedHeadline,
} from './rate-search.js';
import { resourceTable } from './report/tables.js';
import { emptyOutcome, fail, type ScenarioContext, type ScenarioOutcome } from './scenario.js';
import { BENCH_ROOT } from './stack/repo.js';
import { type ResourceReport, startResourceSampler } from './stack/resource-sampler.js';
import { type Stack, startStack } from './stack/stack.js';

export const SERVER_RATES = [3_000, 5_000, 7_500, 10_000, 12_500, 15_000, 17_500, 20_000, 25_000, 30_000];
const WALLETS = 1_000;

export interface ServerSpec {
  /** After the search, one more step at the sustained rate with a single load thread. */
  oneWorkerCheck?: boolean;
  /** Offered rates of the search steps (default SERVER_RATES). */
  rates?: readonly number[];
  /** File under src/servers/. */
  script: string;
  readyPrefix: string;
  redis: boolean;
  args(port: number, env: { redisUrl: string; outDir: string; walletsFile: string }): string[];
  /** How many bets the server stored (checked against the 202 count); absent when it stores nothing. */
  count?(env: { stack: Stack | undefined; outDir: string }): Promise<number>;
}

export function syntheticSessions(count: number): WalletSession[] {
  return Array.from({ length: count }, () => ({
    userId: `0x${randomBytes(20).toString('hex')}`,
    token: randomBytes(32).toString('base64url'),
  }));
}

export async function searchServer(ctx: ScenarioContext, spec: ServerSpec): Promise<ScenarioOutcome> {
  const outcome = emptyOutcome();
  const sessions = syntheticSessions(WALLETS);
  const walletsFile = join(ctx.outDir, 'wallets.json');
  writeFileSync(walletsFile, JSON.stringify(sessions));
  const stack = spec.redis
    ? await startStack({ outDir: ctx.outDir, daemons: [], market: 'none' })
    : undefined;
  const port = await freePort();
  const server = startProcess(
    process.execPath,
    [
      '--import',
      'tsx',
      join(BENCH_ROOT, 'src', 'servers', spec.script),
      ...spec.args(port, { redisUrl: stack?.redisUrl ?? '', outDir: ctx.outDir, walletsFile }),
    ],
    {
      name: spec.script.replace(/\.ts$/, ''),
      cwd: BENCH_ROOT,
      logPath: join(ctx.outDir, 'logs', 'server.log'),
      linesMax: 40,
    },
  );
  try {
    await server.waitForLine((line) => line.startsWith(spec.readyPrefix), 30_000);
    const quick = ctx.options.quick === true;
    const workers = ctx.options.workers ?? 2;
    const resources: { label: string; report: ResourceReport; ratePerS: number }[] = [];
    let acked = 0;
    const runStep = async (
      label: string,
      ratePerS: number,
      durationMs: number,
      warmupMs: number,
      threads = workers,
    ) => {
      const pids = {
        server: server.pid,
        ...(stack ? stack.pids() : {}),
        'load generator (harness)': process.pid,
      };
      const sampler = startResourceSampler(pids, stack?.redis);
      const { result, ackedBetIds } = await runOpenLoop({
        label,
        workers: threads,
        baseUrl: `http://127.0.0.1:${port}`,
        kind: 'bet',
        profile: { ratePerS, durationMs, warmupMs, rampMs: resources.length === 0 ? warmupMs : 0 },
        wallets: sessions,
        wsWallets: 0,
        connections: Math.max(1, Math.round(128 / threads)),
        requestTimeoutMs: 10_000,
        price: { fixedCents: 9_500_000 },
        stakeMicros: 1_000_000,
        drainTimeoutMs: 0,
      });
      acked += ackedBetIds.length;
      resources.push({
        label,
        report: await sampler.stop(measuredWindow(result)),
        ratePerS: result.achievedPerS,
      });
      return result;
    };
    const search = await searchSustainedRate(
      {
        rates: quick ? (spec.rates ?? SERVER_RATES).slice(0, 3) : (spec.rates ?? SERVER_RATES),
        stepMs: quick ? 4_000 : 6_000,
        stepWarmupMs: quick ? 1_000 : 1_500,
        confirmMs: quick ? 6_000 : 12_000,
        confirmWarmupMs: quick ? 1_500 : 3_000,
      },
      runStep,
    );
    const rows = searchRows(search);
    if (spec.oneWorkerCheck && search.sustainedPerS !== null && workers > 1) {
      const run = await runStep('one-thread', search.sustainedPerS, quick ? 4_000 : 6_000, 1_500, 1);
      rows.push(
        ...searchRows({
          steps: [{ phase: 'step', run, verdict: judgeStep(run) }],
          sustainedPerS: null,
          bestStepPerS: null,
        }).map((r) => ['1 load thread', ...r.slice(1)]),
      );
      outcome.loadRuns.push(run);
    }
    const stored = spec.count ? await spec.count({ stack, outDir: ctx.outDir }) : null;
    outcome.loadRuns.unshift(...search.steps.map((s) => s.run));
    outcome.resources.push(...resources.map(({ label, report }) => ({ label, report })));
    outcome.tables.push({
      title: 'Search for the highest sustained rate',
      columns: SEARCH_COLUMNS,
      rows,
      notes: [
        `${WALLETS} synthetic sessions; ${workers} load worker thread(s), 128 keep-alive connections (pipelining 1); the same ` +
          "POST /v1/bets requests as ingest-max. Latency from each request's planned send time (open loop).",
        stored === null ? 'The server stores nothing.' : `Stored ${stored} bets for ${acked} 202 answers.`,
      ],
    });
    for (const label of ['step-3000', `confirm-${search.sustainedPerS}`, 'one-thread']) {
      const at = resources.find((r) => r.label === label);
      if (at) outcome.tables.push(resourceTable(`Resources during ${label}`, at.report, at.ratePerS));
    }
    if (stored !== null && stored !== acked)
      fail(outcome, `the server stored ${stored} bets for ${acked} 202 answers`);
    outcome.headline = {
      sustained_per_s: sustainedHeadline(search, (spec.rates ?? SERVER_RATES)[0]!, 'req/s'),
      p99_ms_at_3000: search.steps.find((s) => s.run.offeredPerS === 3_000)?.run.latency.p99Ms ?? null,
    };
    return outcome;
  } finally {
    await server.stop();
    await stack?.stop();
  }
}
