/**
 * login-storm (issue "wallet sign-in"): how many SIWE logins/s ingest-api verifies with its worker
 * pool (LOGIN_WORKERS = 1 and 2), against the same verification on one thread in-process, and
 * whether a login storm stalls the event loop that serves traders: `GET /v1/me` p99 at a steady
 * open-loop rate without and during a storm.
 */
import { verifySiweLogin } from '@tap/signatures';
import { type LoadRunResult, measuredWindow, runOpenLoop } from '../src/load/open-loop.js';
import {
  createWallets,
  type LoginStormResult,
  loginAll,
  type SignedLogin,
  signLogins,
} from '../src/load/wallets.js';
import type { WalletSession } from '../src/load/worker-protocol.js';
import { loadTable, resourceTable } from '../src/report/tables.js';
import { emptyOutcome, type Scenario } from '../src/scenario.js';
import { startResourceSampler } from '../src/stack/resource-sampler.js';
import { LOGIN_DOMAIN, LOGIN_URI, type Stack, startStack } from '../src/stack/stack.js';

const STORM_LOGINS = 5_000;
const STORM_CONCURRENCY = 128;
const ME_RATE_PER_S = 500;
const ME_SESSIONS = 100;
const SITE = { domain: LOGIN_DOMAIN, uri: LOGIN_URI };

export const loginStorm: Scenario = {
  name: 'login-storm',
  title: 'Login storm: SIWE verification off the event loop',
  description:
    `${STORM_LOGINS.toLocaleString('en-US')} pre-signed SIWE logins (real keys) sent ${STORM_CONCURRENCY} at a time to ingest-api with ` +
    'LOGIN_WORKERS=1 and =2 (the pool always uses worker threads), against verifySiweLogin run sequentially on one thread ' +
    `in-process (the "main thread" figure). With LOGIN_WORKERS=2, GET /v1/me at ${ME_RATE_PER_S}/s open loop for 10 s, ` +
    'without and during a storm.',
  async run(ctx) {
    const outcome = emptyOutcome();
    const logins = ctx.options.quick ? 1_500 : STORM_LOGINS;
    const stormRows: (string | number)[][] = [];
    const meRuns: LoadRunResult[] = [];
    for (const workers of [1, 2]) {
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
        const signed = await signLogins(createWallets(logins), SITE);
        if (workers === 1) {
          const { storm } = await loginAll(stack.apiUrl, signed, STORM_CONCURRENCY);
          stormRows.push(stormRow(`ingest-api, LOGIN_WORKERS=1`, storm));
          continue;
        }
        const sessions = (
          await loginAll(stack.apiUrl, await signLogins(createWallets(ME_SESSIONS), SITE), 16)
        ).sessions;
        meRuns.push((await meLoad(stack, sessions, 'me-quiet')).result);
        const sampler = startResourceSampler(
          { 'ingest-api': stack.pids()['ingest-api']!, redis: stack.pids().redis! },
          stack.redis,
        );
        const [me, stormRun] = await Promise.all([
          meLoad(stack, sessions, 'me-during-storm'),
          stormAfter(stack, signed, 1_500),
        ]);
        meRuns.push(me.result);
        const resources = await sampler.stop(measuredWindow(me.result));
        stormRows.push(stormRow('ingest-api, LOGIN_WORKERS=2 (during the /v1/me run)', stormRun));
        outcome.resources.push({ label: 'storm', report: resources });
        outcome.tables.push(resourceTable('Resources during the storm (LOGIN_WORKERS=2)', resources));
        outcome.headline = {
          logins_per_s_2_workers: stormRun.loginsPerS,
          me_p99_ms_quiet: meRuns[0]?.latency.p99Ms ?? null,
          me_p99_ms_storm: me.result.latency.p99Ms,
        };
      } finally {
        await stack.stop();
      }
    }
    const mainThread = await verifyInProcess(await signLogins(createWallets(Math.min(2_000, logins)), SITE));
    stormRows.push([
      'verifySiweLogin in-process, one thread, sequential (no HTTP, no Redis)',
      mainThread.count,
      mainThread.perS,
      '—',
      `${mainThread.msEach} ms each`,
      '—',
    ]);
    outcome.headline.logins_per_s_main_thread = mainThread.perS;
    outcome.tables.unshift(
      {
        title: 'Logins per second',
        columns: ['verifier', 'logins', 'logins/s', 'p50 ms', 'p99 ms', 'errors / busy retries'],
        rows: stormRows,
        notes: [
          `Each login: EIP-4361 message signed by a fresh secp256k1 key (signing is done beforehand and not timed), ${STORM_CONCURRENCY} in flight, ` +
            '503 login_busy retried after 20 ms. The in-process row is the same verification code on one thread, for comparison.',
        ],
      },
      loadTable(
        `GET /v1/me at ${ME_RATE_PER_S}/s without and during a login storm (LOGIN_WORKERS=2)`,
        meRuns,
      ),
    );
    outcome.loadRuns.push(...meRuns);
    return outcome;
  },
};

function meLoad(stack: Stack, sessions: WalletSession[], label: string) {
  return runOpenLoop({
    label,
    workers: 1,
    baseUrl: stack.apiUrl,
    kind: 'me',
    profile: { ratePerS: ME_RATE_PER_S, durationMs: 10_000, warmupMs: 2_000 },
    wallets: sessions,
    wsWallets: 0,
    connections: 16,
    requestTimeoutMs: 10_000,
    price: { fixedCents: 1 },
    stakeMicros: 0,
    drainTimeoutMs: 0,
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
    const verdict = await verifySiweLogin(login, {
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
