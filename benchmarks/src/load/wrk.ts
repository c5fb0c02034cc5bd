/**
 * Runs Debian's `wrk` (installed by scripts/setup.sh) against ingest-api with pre-made bets, as the
 * yardstick of the harness's own generator (issue 19, SPEC §12: the generator is checked against
 * `wrk` in the same run). One wrk thread, `connections` keep-alive connections, the rate paced by
 * bets.lua's delay() (wrk 4.1 has no open-loop mode: latency is from the actual send, so it omits
 * what a slow answer delays), requests read from a file written here — each a whole POST /v1/bets
 * with its wallet's session and its own clientBetId, on cells picked far enough ahead to stay
 * placeable for the whole run. Its CPU is its own process's utime+stime between the end of its
 * set-up and its summary (both printed by the script), per request answered.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { CLOCK_TICKS_PER_S, startProcess } from '@tap/testkit/standalone';
import { BENCH_ROOT } from '../stack/repo.js';
import { type Cell, DEFAULT_CELL_PICKER, pickCells } from './cell-picker.js';
import { RequestTexts } from './request-texts.js';
import type { WalletSession } from './worker-protocol.js';

const SCRIPT = join(BENCH_ROOT, 'src', 'load', 'wrk', 'bets.lua');
/** Extra requests beyond rate × duration: the pacing may run slightly ahead of the schedule. */
const SPARE_SHARE = 0.1;
/** A cell's window must start this long after the run's end (LEAD is 2 s; the rest is slack). */
const END_MARGIN_MS = 6_000;

export interface WrkPlan {
  apiUrl: string;
  wallets: readonly WalletSession[];
  ratePerS: number;
  durationS: number;
  connections: number;
  stakeMicros: number;
  outDir: string;
}

export interface WrkResult {
  offeredPerS: number;
  durationS: number;
  connections: number;
  /** Answers of any status. */
  requests: number;
  /** Answers other than 2xx/3xx. */
  non2xx: number;
  /** Requests made for the run, and answers beyond them (repeats of a clientBetId). */
  premade: number;
  repeated: number;
  /** 2xx answers per second over wrk's own duration. */
  achievedPerS: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  latency: { p50Ms: number; p90Ms: number; p99Ms: number; p999Ms: number; maxMs: number; meanMs: number };
  /** wrk's CPU over the run (set-up excluded): µs per answer and % of one core. */
  cpu: { usPerRequest: number | null; cpuPct: number };
}

/** How many bets to make for a run: its schedule and SPARE_SHARE more. */
export function premadeCount(ratePerS: number, durationS: number): number {
  return Math.ceil(ratePerS * durationS * (1 + SPARE_SHARE));
}

export interface PremadeBets {
  /** Whole request texts, in sending order (round robin over the wallets). */
  requests: string[];
  clientBetIds: Set<string>;
}

/** Requests for `count` bets over the wallets, on cells that stay placeable for `durationS`. */
export function premadeBets(
  plan: Pick<WrkPlan, 'apiUrl' | 'wallets' | 'stakeMicros' | 'durationS'>,
  print: { t: number; priceCents: number; sigma: number; noise?: number },
  count: number,
  nowMs = Date.now(),
): PremadeBets {
  const { windowMs, horizonMs } = DEFAULT_PRICING_CONFIG;
  const leadMarginMs = plan.durationS * 1_000 + END_MARGIN_MS;
  const columns = Math.floor((horizonMs - leadMarginMs - windowMs) / windowMs);
  assert.ok(
    columns >= 1,
    `a ${plan.durationS} s wrk run leaves no column within the ${horizonMs} ms horizon`,
  );
  const cells: Cell[] = pickCells(print, nowMs, { ...DEFAULT_CELL_PICKER, leadMarginMs, columns });
  const host = new URL(plan.apiUrl).host;
  const route = {
    head: `POST /v1/bets HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\ncontent-type: application/json\r\n`,
  };
  const texts = new RequestTexts('bet', route, plan.wallets, plan.stakeMicros);
  const requests: string[] = [];
  const clientBetIds = new Set<string>();
  for (let i = 0; i < count; i += 1) {
    const request = texts.bet(i % plan.wallets.length, cells[i % cells.length]!).toString();
    requests.push(request);
    clientBetIds.add(/"clientBetId":"([^"]+)"/.exec(request)![1]!);
  }
  return { requests, clientBetIds };
}

export async function runWrk(plan: WrkPlan, bets: PremadeBets): Promise<WrkResult> {
  const file = join(plan.outDir, 'wrk-requests.txt');
  const lines = bets.requests.map((r) => {
    assert.ok(!r.includes('|'), 'a request holds "|", the file’s stand-in for CRLF');
    const line = r.replaceAll('\r\n', '|');
    assert.ok(!/[\r\n]/.test(line), 'a request holds a bare CR or LF');
    return line;
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
  const wrk = startProcess(
    'wrk',
    [
      '-t1',
      `-c${plan.connections}`,
      `-d${plan.durationS}s`,
      '--timeout',
      '10s',
      '-s',
      SCRIPT,
      plan.apiUrl,
      '--',
      file,
      String(plan.ratePerS),
    ],
    { name: 'wrk', logPath: join(plan.outDir, 'logs', 'wrk.log'), linesMax: 50 },
  );
  const exit = await wrk.exited;
  const init = wrk.lines.find((l) => l.startsWith('wrk.init '));
  const done = wrk.lines.find((l) => l.startsWith('wrk.done '));
  if (exit.code !== 0 || !init || !done)
    throw new Error(`wrk failed (${JSON.stringify(exit)}): ${wrk.tail()}`);
  return parseWrk(
    plan,
    bets.requests.length,
    Number(/ticks=(\d+)/.exec(init)![1]),
    done.slice('wrk.done '.length),
  );
}

/** The script's summary line → a result (pure: unit-tested). */
export function parseWrk(
  plan: Pick<WrkPlan, 'ratePerS' | 'durationS' | 'connections'>,
  premade: number,
  initTicks: number,
  doneJson: string,
  clockTicksPerS = CLOCK_TICKS_PER_S,
): WrkResult {
  const s = JSON.parse(doneJson) as {
    ticks: number;
    requests: number;
    durationUs: number;
    errors: { connect: number; read: number; write: number; status: number; timeout: number };
    latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  };
  const cpuUs = ((s.ticks - initTicks) / clockTicksPerS) * 1e6;
  const ms = (us: number) => Math.round(us) / 1_000;
  const { status, ...socketErrors } = s.errors;
  return {
    offeredPerS: plan.ratePerS,
    durationS: plan.durationS,
    connections: plan.connections,
    requests: s.requests,
    non2xx: status,
    premade,
    repeated: Math.max(0, s.requests - premade),
    achievedPerS: Math.round(((s.requests - status) / s.durationUs) * 1e6),
    socketErrors,
    latency: {
      p50Ms: ms(s.latencyUs.p50),
      p90Ms: ms(s.latencyUs.p90),
      p99Ms: ms(s.latencyUs.p99),
      p999Ms: ms(s.latencyUs.p999),
      maxMs: ms(s.latencyUs.max),
      meanMs: ms(s.latencyUs.mean),
    },
    cpu: {
      usPerRequest: s.requests > 0 ? Math.round((cpuUs / s.requests) * 10) / 10 : null,
      cpuPct: Math.round((cpuUs / s.durationUs) * 1_000) / 10,
    },
  };
}
