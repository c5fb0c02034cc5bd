/**
 * The two runs of a generator-check round on one bet stack (scenarios/generator-check.ts): the
 * harness's open-loop run and a `wrk` run at the same rate, each with ingest-api's own bet-route
 * latency over it and the stack's resources; wrk's bets are found in SQLite by their clientBetIds so
 * the audit covers them, and its 2xx count is kept for the check that every one was stored.
 */
import { readBetIdsByClientBetId } from './audit/collect.js';
import type { openBetStack } from './bet-stack.js';
import type { LoadRunResult } from './load/open-loop.js';
import { premadeBets, premadeCount, runWrk, type WrkResult } from './load/wrk.js';
import { type ResourceReport, startResourceSampler } from './stack/resource-sampler.js';
import { type ServerLatency, startServerLatencyWindow } from './stack/server-latency.js';

/** ingest-api's route name for POST /v1/bets in its metrics. */
const BET_ROUTE = 'place_bet';

/** One run of one generator, as the comparison shows it. */
export interface GeneratorRun {
  generator: 'harness' | 'wrk';
  round: number;
  offeredPerS: number;
  achievedPerS: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  generatorUsPerRequest: number | null;
  generatorCpuPct: number;
  server: ServerLatency;
  resources: ResourceReport;
}

/** What a wrk run must agree with: its 2xx answers were all stored, and no more than it could have sent. */
export interface WrkCount {
  round: number;
  answered2xx: number;
  stored: number;
  /** Timeouts, read errors and the requests in flight when wrk stopped: outcome unknown. */
  unanswered: number;
  repeated: number;
}

export interface RunShape {
  ratePerS: number;
  durationS: number;
  connections: number;
}

type Bets = Awaited<ReturnType<typeof openBetStack>>;

export async function harnessRun(
  bets: Bets,
  plan: RunShape,
  round: number,
): Promise<{ load: LoadRunResult; ackedBetIds: string[]; run: GeneratorRun }> {
  const shape = { wsWallets: 0, workers: 1, connections: plan.connections };
  const server = await startServerLatencyWindow(bets.stack.apiUrl, BET_ROUTE);
  const { run, resources } = await bets.load(
    `harness-${round}`,
    { ratePerS: plan.ratePerS, durationMs: plan.durationS * 1_000 },
    shape,
  );
  const r = run.result;
  return {
    load: r,
    ackedBetIds: run.ackedBetIds,
    run: {
      generator: 'harness',
      round,
      offeredPerS: r.offeredPerS,
      achievedPerS: r.achievedPerS,
      errors: r.errorCount,
      p50Ms: r.latency.p50Ms,
      p99Ms: r.latency.p99Ms,
      p999Ms: r.latency.p999Ms,
      generatorUsPerRequest: r.generator?.usPerRequest ?? null,
      generatorCpuPct: r.generator?.cpuPct ?? 0,
      server: await server.end(),
      resources,
    },
  };
}

export async function wrkRun(
  outDir: string,
  bets: Bets,
  plan: RunShape,
  round: number,
): Promise<{ count: WrkCount; ackedBetIds: string[]; run: GeneratorRun }> {
  const wrkPlan = {
    apiUrl: bets.stack.apiUrl,
    wallets: bets.sessions,
    ratePerS: plan.ratePerS,
    durationS: plan.durationS,
    connections: plan.connections,
    stakeMicros: 1_000_000,
    outDir,
  };
  const print = JSON.parse((await bets.stack.redis.get(bets.stack.channels.keys.priceLast)) ?? 'null');
  if (!print) throw new Error('no price:last to pick wrk’s cells from');
  const premade = premadeBets(wrkPlan, print, premadeCount(plan.ratePerS, plan.durationS));
  const server = await startServerLatencyWindow(bets.stack.apiUrl, BET_ROUTE);
  const sampler = startResourceSampler(bets.stack.pids(), bets.stack.redis);
  const startedMs = Date.now();
  const result: WrkResult = await runWrk(wrkPlan, premade);
  const resources = await sampler.stop({ fromMs: startedMs, toMs: Date.now() });
  const serverLatency = await server.end();
  await bets.drain(30_000);
  const ackedBetIds = readBetIdsByClientBetId(bets.stack.dataDir, premade.clientBetIds);
  return {
    ackedBetIds,
    count: {
      round,
      answered2xx: result.requests - result.non2xx,
      stored: ackedBetIds.length,
      unanswered: result.socketErrors.timeout + result.socketErrors.read + plan.connections,
      repeated: result.repeated,
    },
    run: {
      generator: 'wrk',
      round,
      offeredPerS: result.offeredPerS,
      achievedPerS: result.achievedPerS,
      errors:
        result.non2xx +
        result.socketErrors.connect +
        result.socketErrors.read +
        result.socketErrors.write +
        result.socketErrors.timeout,
      p50Ms: result.latency.p50Ms,
      p99Ms: result.latency.p99Ms,
      p999Ms: result.latency.p999Ms,
      generatorUsPerRequest: result.cpu.usPerRequest,
      generatorCpuPct: result.cpu.cpuPct,
      server: serverLatency,
      resources,
    },
  };
}
