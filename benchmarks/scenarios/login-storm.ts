/**
 * login-storm (issue "wallet sign-in"): how many SIWE logins/s ingest-api verifies with its worker
 * pool (LOGIN_WORKERS = 1 and 2), against the same verification on one thread in-process, and
 * whether a login storm stalls the event loop that serves traders: `GET /v1/me` p99 at a steady
 * open-loop rate without and during a storm.
 *
 * The file reads as the experiment: `planOf` (how many logins, how many rounds), `measure` (per
 * round, on fresh stacks: the storm with one worker; with two, /v1/me quiet, then /v1/me during the
 * storm; then the in-process verifier) and `report` (pure: every round, the medians, the headline).
 * Rounds, because this host's speed swings between periods: the headline is the median round.
 */
import { verifySiweLogin } from '@tap/signatures';
import { type LoadRunResult, measuredWindow, READ_LOAD, runOpenLoop } from '../src/load/open-loop.js';
import {
  createWallets,
  type LoginStormResult,
  loginAll,
  type SignedLogin,
  signLogins,
} from '../src/load/wallets.js';
import type { WalletSession } from '../src/load/worker-protocol.js';
import { loadTable, resourceTable } from '../src/report/tables.js';
import {
  emptyOutcome,
  type Scenario,
  type ScenarioContext,
  type ScenarioOptions,
  type ScenarioOutcome,
} from '../src/scenario.js';
import { type ResourceReport, startResourceSampler } from '../src/stack/resource-sampler.js';
import { LOGIN_DOMAIN, LOGIN_URI, type Stack, startStack } from '../src/stack/stack.js';
import { medianBy } from '../src/stats/median.js';

/**
 * 20,000: with native recovery a storm of 5,000 lasted ~2 s, most of it the daemon's JIT warming up
 * (2,558/s against 3,063/s for 20,000 on the same quiet machine).
 */
const STORM_LOGINS = 20_000;
const STORM_CONCURRENCY = 128;
const ME_RATE_PER_S = 500;
const ME_SESSIONS = 100;
const SITE = { domain: LOGIN_DOMAIN, uri: LOGIN_URI };

export interface Plan {
  /** Logins per storm. */
  logins: number;
  /** Rounds of both storms (fresh stacks each). */
  rounds: number;
  /** Logins verified in-process, one after the other. */
  inProcessLogins: number;
}

export interface Measured {
  rounds: Round[];
  inProcess: { count: number; perS: number; msEach: number };
}

export interface Round {
  /** The storm on ingest-api with LOGIN_WORKERS=1, alone. */
  stormOneWorker: LoginStormResult;
  /** The storm with LOGIN_WORKERS=2, during the second /v1/me run. */
  stormTwoWorkers: LoginStormResult;
  meQuiet: LoadRunResult;
  meDuringStorm: LoadRunResult;
  /** ingest-api and Redis during the /v1/me run with the storm. */
  resources: ResourceReport;
}

export const loginStorm: Scenario = {
  name: 'login-storm',
  title: 'Login storm: SIWE verification off the event loop',
  description:
    `${STORM_LOGINS.toLocaleString('en-US')} pre-signed SIWE logins (real keys) sent ${STORM_CONCURRENCY} at a time to ingest-api with ` +
    'LOGIN_WORKERS=1 and =2 (the pool always uses worker threads), against verifySiweLogin run sequentially on one thread ' +
    `in-process (the "main thread" figure). With LOGIN_WORKERS=2, GET /v1/me at ${ME_RATE_PER_S}/s open loop for 10 s, ` +
    'without and during a storm; 3 rounds on fresh stacks, the median round is the headline.',
  async run(ctx) {
    return report(await measure(ctx, planOf(ctx.options)));
  },
};

export function planOf(options: ScenarioOptions): Plan {
  const logins = options.quick ? 1_500 : STORM_LOGINS;
  return { logins, rounds: options.quick ? 1 : 3, inProcessLogins: Math.min(2_000, logins) };
}

async function measure(ctx: ScenarioContext, plan: Plan): Promise<Measured> {
  const rounds: Round[] = [];
  for (let round = 1; round <= plan.rounds; round += 1) {
    ctx.log(`round ${round}/${plan.rounds}`);
    rounds.push(await measureRound(ctx, plan));
  }
  const inProcess = await verifyInProcess(await signLogins(createWallets(plan.inProcessLogins), SITE));
  return { rounds, inProcess };
}

async function measureRound(ctx: ScenarioContext, plan: Plan): Promise<Round> {
  const stormOneWorker = await withLoginStack(ctx, 1, async (stack) => {
    const signed = await signLogins(createWallets(plan.logins), SITE);
    return (await loginAll(stack.apiUrl, signed, STORM_CONCURRENCY)).storm;
  });
  const during = await withLoginStack(ctx, 2, async (stack) => {
    const signed = await signLogins(createWallets(plan.logins), SITE);
    const { sessions } = await loginAll(stack.apiUrl, await signLogins(createWallets(ME_SESSIONS), SITE), 16);
    const meQuiet = (await meLoad(stack, sessions, 'me-quiet')).result;
    const sampler = startResourceSampler(
      { 'ingest-api': stack.pids()['ingest-api']!, redis: stack.pids().redis! },
      stack.redis,
    );
    const [me, stormTwoWorkers] = await Promise.all([
      meLoad(stack, sessions, 'me-during-storm'),
      stormAfter(stack, signed, 1_500),
    ]);
    const resources = await sampler.stop(measuredWindow(me.result));
    return { meQuiet, meDuringStorm: me.result, stormTwoWorkers, resources };
  });
  return { stormOneWorker, ...during };
}

/** The tables and headline from what was measured (pure): every round, then the medians. */
export function report(m: Measured): ScenarioOutcome {
  const outcome = emptyOutcome();
  const typical = medianBy(m.rounds, (r) => r.stormTwoWorkers.loginsPerS);
  const oneWorker = medianBy(m.rounds, (r) => r.stormOneWorker.loginsPerS).stormOneWorker;
  const meRuns = m.rounds.flatMap((r) => [r.meQuiet, r.meDuringStorm]);
  const label = (text: string, i: number) => (m.rounds.length > 1 ? `${text}, round ${i + 1}` : text);
  outcome.resources.push({ label: 'storm', report: typical.resources });
  outcome.tables.push(
    {
      title: 'Logins per second',
      columns: ['verifier', 'logins', 'logins/s', 'p50 ms', 'p99 ms', 'errors / busy retries'],
      rows: [
        ...m.rounds.map((r, i) => stormRow(label('ingest-api, LOGIN_WORKERS=1', i), r.stormOneWorker)),
        ...m.rounds.map((r, i) =>
          stormRow(label('ingest-api, LOGIN_WORKERS=2 (during the /v1/me run)', i), r.stormTwoWorkers),
        ),
        ...(m.rounds.length > 1
          ? [
              stormRow('**median** LOGIN_WORKERS=1', oneWorker),
              stormRow('**median** LOGIN_WORKERS=2', typical.stormTwoWorkers),
            ]
          : []),
        [
          'verifySiweLogin in-process, one thread, sequential (no HTTP, no Redis)',
          m.inProcess.count,
          m.inProcess.perS,
          '—',
          `${m.inProcess.msEach} ms each`,
          '—',
        ],
      ],
      notes: [
        `Each login: EIP-4361 message signed by a fresh secp256k1 key (signing is done beforehand and not timed), ${STORM_CONCURRENCY} in flight, ` +
          '503 login_busy retried after 20 ms. The in-process row is the same verification code on one thread, for comparison. ' +
          'A median row is the round with the median logins/s.',
      ],
    },
    loadTable(`GET /v1/me at ${ME_RATE_PER_S}/s without and during a login storm (LOGIN_WORKERS=2)`, meRuns),
    resourceTable('Resources during the storm (LOGIN_WORKERS=2, the median round)', typical.resources),
  );
  outcome.headline = {
    logins_per_s_2_workers: typical.stormTwoWorkers.loginsPerS,
    me_p99_ms_quiet: typical.meQuiet.latency.p99Ms,
    me_p99_ms_storm: typical.meDuringStorm.latency.p99Ms,
    logins_per_s_main_thread: m.inProcess.perS,
  };
  outcome.loadRuns.push(...meRuns);
  return outcome;
}

/** ingest-api alone with `workers` login threads, stopped after `use`. */
async function withLoginStack<T>(ctx: ScenarioContext, workers: number, use: (stack: Stack) => Promise<T>) {
  const stack = await startStack({
    outDir: ctx.outDir,
    daemons: ['ingest-api'],
    market: 'none',
    // The global login budget (LOGIN_RATE_PER_S) is lifted: this measures the verifier itself.
    env: {
      'ingest-api': { LOGIN_WORKERS: String(workers), LOGIN_RATE_PER_S: '100000', LOGIN_BURST: '100000' },
    },
  });
  try {
    return await use(stack);
  } finally {
    await stack.stop();
  }
}

function meLoad(stack: Stack, sessions: WalletSession[], label: string) {
  return runOpenLoop({
    ...READ_LOAD,
    label,
    baseUrl: stack.apiUrl,
    kind: 'me',
    profile: { ratePerS: ME_RATE_PER_S, durationMs: 10_000, warmupMs: 2_000 },
    wallets: sessions,
  });
}

/** Starts the storm once the /v1/me run is past its warm-up. */
async function stormAfter(stack: Stack, signed: SignedLogin[], delayMs: number): Promise<LoginStormResult> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return (await loginAll(stack.apiUrl, signed, STORM_CONCURRENCY)).storm;
}

function stormRow(label: string, storm: LoginStormResult): (string | number)[] {
  const errors = Object.values(storm.errors).reduce((a, b) => a + b, 0);
  return [
    label,
    storm.logins,
    storm.loginsPerS,
    storm.latency.p50Ms,
    storm.latency.p99Ms,
    `${errors} / ${storm.busyRetries}`,
  ];
}

async function verifyInProcess(signed: SignedLogin[]) {
  const began = performance.now();
  for (const login of signed) {
    const verdict = verifySiweLogin(login, {
      ...SITE,
      chainIds: [1],
      nowMs: Date.now(),
      skewMs: 30_000,
    });
    if (!verdict.ok) throw new Error(`in-process verification failed: ${verdict.code}`);
  }
  const ms = performance.now() - began;
  return {
    count: signed.length,
    perS: Math.round((signed.length / ms) * 1000),
    msEach: Math.round((ms / signed.length) * 1000) / 1000,
  };
}
