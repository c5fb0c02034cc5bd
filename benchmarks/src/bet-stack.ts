/**
 * The bet path under test, ready to load: Redis + batcher + ingest-api + ws-gateway + the market
 * source, N wallets signed in with real SIWE (the login storm is measured) and funded through
 * `tap:adjustments`. `load()` runs one open-loop schedule with resource sampling; `audit()` waits
 * for the batcher to drain and checks every 202'd bet.
 */
import type { AuditReport } from './audit/audit.js';
import { auditRun, waitForBatcherDrain } from './audit/collect.js';
import { type LoadRun, measuredWindow, runOpenLoop } from './load/open-loop.js';
import type { RateProfile } from './load/schedule.js';
import { createWallets, fundWallets, loginAll, signLogins } from './load/wallets.js';
import type { WalletSession } from './load/worker-protocol.js';
import type { ScenarioContext } from './scenario.js';
import { type ResourceReport, startResourceSampler } from './stack/resource-sampler.js';
import { LOGIN_DOMAIN, LOGIN_URI, type Stack, type StackOptions, startStack } from './stack/stack.js';

export interface IngestLimits {
  RATE_LIMIT_PER_S: number;
  RATE_LIMIT_BURST: number;
  USER_OPEN_BETS_MAX: number;
  USER_PAYOUT_MICROS_MAX: number;
  BANKROLL_MICROS: number;
}

/** SPEC §3/§5 defaults (what production runs). */
export const SPEC_LIMITS: IngestLimits = {
  RATE_LIMIT_PER_S: 5,
  RATE_LIMIT_BURST: 10,
  USER_OPEN_BETS_MAX: 20,
  USER_PAYOUT_MICROS_MAX: 2_000_000_000,
  BANKROLL_MICROS: 1_000_000_000_000,
};

/**
 * What throughput runs use: the per-wallet rate limit stays at the SPEC default unless a scenario
 * raises it; open-bet and exposure limits are raised because no resolver settles bets during a
 * run (they would only ever accumulate), so they would cap the run instead of the bet path.
 * The checks still run on every bet — only the thresholds differ.
 */
export function benchLimits(overrides: Partial<IngestLimits> = {}): IngestLimits {
  return {
    ...SPEC_LIMITS,
    USER_OPEN_BETS_MAX: 100_000,
    USER_PAYOUT_MICROS_MAX: 1_000_000_000_000_000,
    BANKROLL_MICROS: 1_000_000_000_000_000,
    ...overrides,
  };
}

/** `settling`: a resolver runs, so bets settle — the limits are still raised for the run's volume. */
export function describeLimits(limits: IngestLimits, settling = false): string {
  const why = settling
    ? 'so that the run, not a wallet cap, decides how many bets are open (bets do settle: the resolver runs)'
    : 'because nothing settles bets during a run';
  const usd = (micros: number) => `$${(micros / 1e6).toLocaleString('en-US')}`;
  return (
    `Limits in force (ingest-api env): rate ${limits.RATE_LIMIT_PER_S}/s burst ${limits.RATE_LIMIT_BURST} per wallet` +
    `${limits.RATE_LIMIT_PER_S === SPEC_LIMITS.RATE_LIMIT_PER_S ? ' (SPEC default)' : ' (raised)'}; ` +
    `${limits.USER_OPEN_BETS_MAX} open bets and ${usd(limits.USER_PAYOUT_MICROS_MAX)} open payout per wallet, ` +
    `bankroll ${usd(limits.BANKROLL_MICROS)} (cell 0.25 % / column 1.5 % / total 10 %)` +
    `${limits.BANKROLL_MICROS === SPEC_LIMITS.BANKROLL_MICROS ? '' : ` — raised from the SPEC defaults (20 open bets, $2,000, $1,000,000) ${why}`}.` +
    (settling
      ? ''
      : ' The batcher runs with DEAD_MAN_GRACE_MS=3600000: with nothing settling, its dead-man sweep would void the earlier runs’ bets in the middle of a later run.')
  );
}

/** `<label>: ingest-api A=1 B=2; price-ingest C=3.` — daemon environment named in a report. */
export function envNote(label: string, env: Record<string, Record<string, string> | undefined>): string {
  const daemons = Object.entries(env).flatMap(([daemon, vars]) =>
    vars
      ? [
          `${daemon} ${Object.entries(vars)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        ]
      : [],
  );
  return `${label}: ${daemons.join('; ')}.`;
}

export interface BetStackOptions {
  wallets: number;
  fundMicros: number;
  limits: IngestLimits;
  redisArgs?: string[];
  loginConcurrency?: number;
  /** Run these daemons under `node --cpu-prof` (see StackOptions.cpuProfile). */
  cpuProfile?: StackOptions['cpuProfile'];
  /** Also run the resolver (bets then settle during the run; the chaos runner kills it too). */
  resolver?: boolean;
  /** Extra environment per daemon (merged over the limits). */
  env?: StackOptions['env'];
  /** See StackOptions: a data directory of the caller's, and a command every daemon runs under. */
  dataDir?: string;
  daemonPrefix?: readonly string[];
}

export interface BetStack {
  stack: Stack;
  sessions: WalletSession[];
  /** The login storm's rate while provisioning. */
  loginsPerS: number;
  notes: string[];
  /** How long provisioning took (keys, signatures, the login storm, funding), as a note. */
  provisioningNote: string;
  load(
    label: string,
    profile: RateProfile,
    shape: {
      wsWallets: number;
      workers: number;
      connections: number;
      stakeMicros?: number;
      /** See OpenLoopOptions.onReady: the load's sockets are ready and its schedule starts. */
      onReady?: (startEpochMs: number) => void;
    },
  ): Promise<{ run: LoadRun; resources: ResourceReport }>;
  /**
   * Audits every bet of `runs`: the harness's runs, or the bets of another generator found by
   * clientBetId. `dataDir`: where to read the segments, if not the stack's (e.g. a copy).
   */
  audit(runs: readonly Pick<LoadRun, 'ackedBetIds'>[], dataDir?: string): Promise<AuditReport>;
  /** Counts requests that got no answer (their outcome is unknown) for the audit, e.g. wrk's. */
  countUnanswered(requests: number): void;
  /** Waits until the batcher has applied and acknowledged everything admitted so far. */
  drain(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The batcher's environment when no resolver runs: nothing settles the bets, and the batcher's
 * dead-man sweep (SPEC §4) would void every one of them 60 s + DEAD_MAN_GRACE_MS after its window —
 * on a stack that runs several loads, the earlier runs' bets in the middle of a later one, at the
 * rate they were placed, in transactions of 1,000: that made the third run of every 3,000 bets/s
 * scenario the worst (p99 to accepted 110–265 ms; in one run stalls of seconds). A grace of an hour
 * keeps the sweep running, as in production, with nothing yet overdue.
 */
export const NO_RESOLVER_BATCHER_ENV: Readonly<Record<string, string>> = { DEAD_MAN_GRACE_MS: '3600000' };

export async function openBetStack(ctx: ScenarioContext, options: BetStackOptions): Promise<BetStack> {
  const limits = Object.fromEntries(Object.entries(options.limits).map(([k, v]) => [k, String(v)]));
  const overrides = ctx.options.daemonEnv ?? {};
  const env: NonNullable<BetStackOptions['env']> = { ...options.env };
  env['ingest-api'] = { ...limits, ...env['ingest-api'] };
  if (!options.resolver) env.batcher = { ...NO_RESOLVER_BATCHER_ENV, ...env.batcher };
  for (const [daemon, vars] of Object.entries(overrides)) {
    const name = daemon as keyof typeof env;
    env[name] = { ...env[name], ...vars };
  }
  const stack = await startStack({
    outDir: ctx.outDir,
    daemons: ['batcher', 'ingest-api', 'ws-gateway', ...(options.resolver ? (['resolver'] as const) : [])],
    market: 'auto',
    redisArgs: options.redisArgs,
    env,
    cpuProfile: options.cpuProfile,
    dataDir: options.dataDir,
    daemonPrefix: options.daemonPrefix,
  });
  try {
    ctx.log(`stack up (${stack.market}); provisioning ${options.wallets} wallets`);
    let began = performance.now();
    const wallets = createWallets(options.wallets);
    const keysMs = Math.round(performance.now() - began);
    began = performance.now();
    const signed = await signLogins(wallets, { domain: LOGIN_DOMAIN, uri: LOGIN_URI });
    const signMs = Math.round(performance.now() - began);
    const { sessions, storm } = await loginAll(stack.apiUrl, signed, options.loginConcurrency ?? 64);
    if (sessions.length !== wallets.length) {
      throw new Error(
        `only ${sessions.length} of ${wallets.length} logins succeeded: ${JSON.stringify(storm.errors)}`,
      );
    }
    ctx.log(`logged in ${sessions.length} wallets at ${storm.loginsPerS}/s; funding`);
    const funded = await fundWallets(
      stack.redis,
      stack.channels,
      sessions.map((s) => s.userId),
      options.fundMicros,
    );
    ctx.log(`funded in ${funded.elapsedMs} ms`);
    const unanswered = { count: 0 };
    const wsSeen: { tracked: number; missing: number; missingSample: string[] }[] = [];
    return {
      stack,
      sessions,
      loginsPerS: storm.loginsPerS,
      provisioningNote:
        `Provisioning: ${wallets.length} keys in ${keysMs} ms, SIWE messages signed in ${signMs} ms (harness), ` +
        `login storm ${storm.loginsPerS} logins/s at ${storm.concurrency} in flight (p99 ${storm.latency.p99Ms} ms), ` +
        `funding applied by the batcher in ${funded.elapsedMs} ms.`,
      notes: [
        `Market source: ${stack.market}.`,
        describeLimits(options.limits, options.resolver === true),
        `Redis: infra/redis.conf${options.redisArgs?.length ? ` with ${options.redisArgs.join(' ')}` : ' (appendfsync everysec)'}.`,
        ...(Object.keys(overrides).length
          ? [envNote('Environment set for this run (--env)', overrides)]
          : []),
      ],
      async load(label, profile, shape) {
        const sampler = startResourceSampler(
          { ...stack.pids(), 'load generator (harness)': process.pid },
          stack.redis,
        );
        const run = await runOpenLoop({
          label,
          workers: shape.workers,
          baseUrl: stack.apiUrl,
          kind: 'bet',
          profile,
          wallets: sessions,
          wsUrl: stack.wsUrl,
          wsWallets: shape.wsWallets,
          connections: Math.max(1, Math.round(shape.connections / shape.workers)),
          requestTimeoutMs: 10_000,
          price: { redisUrl: stack.redisUrl, prefix: stack.channels.prefix },
          stakeMicros: shape.stakeMicros ?? 1_000_000,
          drainTimeoutMs: 15_000,
          onReady: shape.onReady,
        });
        const resources = await sampler.stop(measuredWindow(run.result));
        // 503 store_unavailable: Redis timed out under the admission script, which may still have
        // run — the outcome is unknown, like a request that got no answer.
        unanswered.count += run.result.noAnswer + (run.result.errors['503 store_unavailable'] ?? 0);
        if (run.result.ws) wsSeen.push(run.result.ws);
        return { run, resources };
      },
      async audit(runs, dataDir = stack.dataDir) {
        const drained = await waitForBatcherDrain(stack.redis, stack.channels, 30_000);
        if (!drained) ctx.log('the batcher did not drain within 30 s; auditing anyway');
        return auditRun(
          { ...stack, dataDir },
          {
            ackedBetIds: runs.flatMap((r) => r.ackedBetIds),
            unanswered: unanswered.count,
            ws: wsSeen.length
              ? {
                  tracked: wsSeen.reduce((n, w) => n + w.tracked, 0),
                  missing: wsSeen.reduce((n, w) => n + w.missing, 0),
                  missingSample: wsSeen.flatMap((w) => w.missingSample),
                }
              : null,
          },
        );
      },
      countUnanswered(requests) {
        unanswered.count += requests;
      },
      drain: (timeoutMs) => waitForBatcherDrain(stack.redis, stack.channels, timeoutMs),
      close: () => stack.stop(),
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
