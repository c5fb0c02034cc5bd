/**
 * ws-fanout: 10,000 WebSocket clients on ws-gateway, each authenticated, all receiving price ticks.
 * The harness writes 10 index prints/s to tap:prices for 20 s; clients (two child processes,
 * 5,000 each) count every tick and its delivery latency. Reports delivered messages/s, how many
 * clients got every tick, and the gateway's CPU and memory.
 *
 * The file reads as the experiment: `planOf` (how many clients, how long), `measure` (the gateway,
 * the client processes, the ticks, their reports) and `report` (pure: the totals, the tables, the
 * check and the headline).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEntry } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import { type Started, startProcess } from '@tap/testkit/standalone';
import { resourceTable } from '../src/report/tables.js';
import {
  emptyOutcome,
  fail,
  type Scenario,
  type ScenarioContext,
  type ScenarioOptions,
  type ScenarioOutcome,
} from '../src/scenario.js';
import { BENCH_ROOT } from '../src/stack/repo.js';
import { type ResourceReport, startResourceSampler } from '../src/stack/resource-sampler.js';
import { type Stack, startStack } from '../src/stack/stack.js';
import { type LatencySummary, mergeEncoded, summarize } from '../src/stats/histogram.js';
import { createSessions } from '../src/ws-clients/sessions.js';

const CLIENTS = 10_000;
const PROCESSES = 2;
const TICKS_PER_S = 10;

/** What one client process reports (src/ws-clients/fanout-clients.ts). */
export interface ClientReport {
  clients: number;
  connected: number;
  closedEarly: number;
  ticksTotal: number;
  ticksMin: number;
  complete: number;
  /** Delivery latency, an encoded HDR histogram. */
  latency: string;
}

export interface Plan {
  clients: number;
  durationS: number;
}

export interface Measured {
  /** Clients connected and authenticated, and those that failed, over both processes. */
  connected: number;
  failed: number;
  connectMs: number;
  ticks: number;
  reports: ClientReport[];
  resources: ResourceReport;
}

export const wsFanout: Scenario = {
  name: 'ws-fanout',
  title: 'WebSocket fan-out: 10,000 clients receiving every tick',
  description:
    `${CLIENTS.toLocaleString('en-US')} authenticated WebSocket clients on ws-gateway (${PROCESSES} client processes; sessions ` +
    'created directly in Redis per docs/bet-path.md — the login path is measured in login-storm) while the harness writes ' +
    `${TICKS_PER_S} prints/s to tap:prices for 20 s. Counts ticks per client and delivery latency (print t → client receive).`,
  async run(ctx) {
    const plan = planOf(ctx.options);
    return report(await measure(ctx, plan), plan);
  },
};

export function planOf(options: ScenarioOptions): Plan {
  return options.quick ? { clients: 2_000, durationS: 5 } : { clients: CLIENTS, durationS: 20 };
}

/** The gateway and the client processes; the ticks written while the resources are sampled. */
async function measure(ctx: ScenarioContext, plan: Plan): Promise<Measured> {
  const stack = await startStack({ outDir: ctx.outDir, daemons: ['ws-gateway'], market: 'none' });
  const children: Started[] = [];
  try {
    const tokens = await createSessions(stack, plan.clients);
    const began = performance.now();
    for (let p = 0; p < PROCESSES; p += 1) {
      const file = join(ctx.outDir, `tokens-${p}.json`);
      writeFileSync(file, JSON.stringify(tokens.filter((_, i) => i % PROCESSES === p)));
      children.push(startClients(ctx.outDir, stack, p, file));
    }
    const lines = await Promise.all(
      children.map((c) => c.waitForLine((l) => l.startsWith('fanout.connected'), 120_000)),
    );
    const connectMs = Math.round(performance.now() - began);
    const [connected, failed] = lines.reduce(
      (sum, line) => {
        const [, a, b] = line.split(' ');
        return [sum[0] + Number(a), sum[1] + Number(b)];
      },
      [0, 0],
    );
    ctx.log(
      `${connected} clients connected (${failed} failed) in ${connectMs} ms; ticking for ${plan.durationS} s`,
    );
    for (const c of children) c.child.stdin?.write('reset\n');
    await Promise.all(children.map((c) => c.waitForLine((l) => l === 'fanout.counting', 10_000)));
    const pids = Object.fromEntries([
      ['ws-gateway', stack.pids()['ws-gateway']!],
      ['redis', stack.pids().redis!],
      ...children.map((c) => [c.name, c.pid]),
    ]);
    const sampler = startResourceSampler(pids, stack.redis);
    const ticks = await writeTicks(stack, plan.durationS * TICKS_PER_S);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const resources = await sampler.stop();
    const reports = await Promise.all(children.map((c) => requestReport(c, ticks)));
    return { connected, failed, connectMs, ticks, reports, resources };
  } finally {
    for (const child of children) await child.stop();
    await stack.stop();
  }
}

/** The totals over the client processes, the tables, the check and the headline (pure). */
export function report(m: Measured, plan: Plan): ScenarioOutcome {
  const outcome = emptyOutcome();
  const { clients, durationS } = plan;
  const total = m.reports.reduce((n, r) => n + r.ticksTotal, 0);
  const complete = m.reports.reduce((n, r) => n + r.complete, 0);
  const latency: LatencySummary = summarize(mergeEncoded(m.reports.map((r) => r.latency)));
  const closedEarly = m.reports.reduce((n, r) => n + r.closedEarly, 0);
  outcome.resources.push({ label: 'ws-fanout', report: m.resources });
  outcome.tables.push(
    {
      title: `${clients.toLocaleString('en-US')} clients, ${TICKS_PER_S} ticks/s for ${durationS} s`,
      columns: [
        'clients connected',
        'connect time ms',
        'ticks written',
        'messages delivered',
        'delivered/s',
        'clients with every tick',
        'closed early',
        'latency p50 / p99 / max ms',
      ],
      rows: [
        [
          m.connected,
          m.connectMs,
          m.ticks,
          total,
          Math.round(total / durationS),
          complete,
          closedEarly,
          `${latency.p50Ms} / ${latency.p99Ms} / ${latency.maxMs}`,
        ],
      ],
      notes: [
        "Latency: the print's t (written by the harness just before XADD) → receipt in a client process; same machine clock.",
      ],
    },
    resourceTable('Resources while ticking', m.resources, Math.round(total / durationS), 'delivered message'),
  );
  if (m.connected < clients) fail(outcome, `${clients - m.connected} clients could not connect`);
  outcome.headline = {
    ws_clients_every_tick: complete,
    ws_clients_every_tick_met: complete >= 10_000 ? 'yes' : 'no',
    delivered_per_s: Math.round(total / durationS),
    gateway_cpu_avg_pct: m.resources.processes.find((p) => p.name === 'ws-gateway')?.cpuAvgPct ?? null,
  };
  return outcome;
}

/** Client process `p`: its share of the tokens in `file`, commanded over stdin. */
function startClients(outDir: string, stack: Stack, p: number, file: string): Started {
  return startProcess(
    process.execPath,
    ['--import', 'tsx', join(BENCH_ROOT, 'src', 'ws-clients', 'fanout-clients.ts'), stack.wsUrl, file],
    {
      name: `clients-${p}`,
      cwd: BENCH_ROOT,
      logPath: join(outDir, 'logs', `clients-${p}.log`),
      stdin: 'pipe',
      linesMax: 40,
    },
  );
}

/** Writes `count` prints at TICKS_PER_S to tap:prices and price:last, like price-ingest does. */
async function writeTicks(stack: Stack, count: number): Promise<number> {
  const intervalMs = 1_000 / TICKS_PER_S;
  const start = performance.now();
  let id = Date.now();
  for (let i = 0; i < count; i += 1) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t = Date.now();
    id = Math.max(id + 1, t);
    const print: PrintEntry = {
      id,
      t,
      priceCents: 9_500_000 + (i % 50) * 10,
      venues: 3,
      sigma: 0.0001,
      simulated: true,
    };
    await stack.redis
      .multi()
      .xadd(stack.channels.streams.prices, '*', ...encodeEntry('prices', print))
      .set(stack.channels.keys.priceLast, JSON.stringify(print))
      .exec();
  }
  return count;
}

async function requestReport(child: Started, expected: number): Promise<ClientReport> {
  const line = child.waitForLine((l) => l.startsWith('fanout.report '), 30_000);
  child.child.stdin?.write(`report ${expected}\n`);
  return JSON.parse((await line).slice('fanout.report '.length)) as ClientReport;
}
