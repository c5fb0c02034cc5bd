/** batcher configuration, read once from the environment by main.ts. */
import { operatorKeySchema, parseSegmentPeriod } from '@tap/domain';
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';
import { z } from 'zod';

export const SERVICE = 'batcher';

/**
 * Chaos hooks for crash tests: the batcher SIGKILLs itself at the named point (see README). The
 * `rollover_*` points are the gaps between the roll-over's steps (rollover/writer-segments.ts).
 */
export const FAIL_POINTS = [
  'after_commit_before_ack',
  'after_ack_before_events',
  'rollover_after_closing',
  'rollover_after_opening',
  'rollover_after_switch',
  'rollover_during_carry',
  'rollover_after_carry',
] as const;
export type FailPoint = (typeof FAIL_POINTS)[number];

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics on OPS_HOST. Default 9104. */
  OPS_PORT: env.port(9104),
  /** Data directory: the lock file and `segments/<period>.db`. Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
  /**
   * How long a segment covers: `iso-week` (UTC, SPEC §8) or `<n>ms` (≥ 1000) for tests and
   * benchmarks that roll over every few seconds. A data directory keeps one setting. Default iso-week.
   */
  SEGMENT_PERIOD: z
    .string()
    .default('iso-week')
    .refine((value) => parseSegmentPeriod(value) !== null, 'must be iso-week or <n>ms with n >= 1000'),
  /**
   * Test hook: added to the clock that decides the roll-over (ms), so a test can stop a batcher on
   * a Sunday and start it on a Monday. Warned at start. Default 0.
   */
  BATCHER_TEST_CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  /** Entries taken from each stream per read (XREADGROUP COUNT). Default 1000. */
  BATCH_MAX: env.intBetween(1, 100_000, 1_000),
  /** While entries keep coming, wait this long before the next read so a batch gathers (ms, 0 = none). Default 5. */
  BATCH_WAIT_MS: env.intBetween(0, 1_000, 5),
  /** XREADGROUP BLOCK while idle (ms); bounds how long SIGTERM waits for a read. Default 100. */
  BLOCK_MS: env.intBetween(1, 1_000, 100),
  /**
   * Next-tick entry (ingest-api BET_ENTRY=next_print, issue 22): the first print after a bet's
   * receive time must come within this many ms, or the bet is refused `price_stale` and its stake
   * released (apply/fill.ts). Default 1000 (10 print intervals; the breaker opens after 10 s).
   */
  BET_ENTRY_FILL_TIMEOUT_MS: env.intBetween(100, 60_000, 1_000),
  /** Consumer name in group `batcher`; keep it stable per data dir so a restart finds its pending entries. */
  CONSUMER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -')
    .default('batcher-1'),
  /**
   * Approximate maximum length of `tap:events` (XADD MAXLEN ~): the clients' resume window. Default
   * 400000: an entry takes ~330 bytes of Redis, so ~130 MB of the 512 MB budget (SPEC §6), and at
   * 3,000 bets/s (an `accepted` and a settlement event each, 6,000 events/s) it still holds 67 s —
   * SPEC asks for ≥ 60 s at peak. The old default (1,000,000 ≈ 330 MB) left too little for the rest.
   */
  EVENTS_MAXLEN: env.intBetween(1_000, 100_000_000, 400_000),
  /**
   * Stake limits every bet entry is re-checked against (SPEC §3), micro-dollars: the same variables
   * and defaults as ingest-api's, so set them once in common.env. Defaults 100000 and 100000000.
   */
  STAKE_MICROS_MIN: env.intAtLeast(1, 100_000),
  STAKE_MICROS_MAX: env.intAtLeast(1, 100_000_000),
  /** How often the consumed streams are trimmed up to what is acknowledged (ms). Default 1000. */
  TRIM_INTERVAL_MS: env.intBetween(10, 600_000, 1_000),
  /**
   * The operator key (hex, 32-64 bytes: `openssl rand -hex 32`) that authenticates `tap:adjustments`
   * and `tap:operator` entries; tapctl holds the same one. Required: without it no deposit could be
   * told from a forgery. From a root-only env file (/etc/tap/operator.env).
   */
  OPERATOR_MAC_KEY: operatorKeySchema,
  /**
   * The batcher voids a bet still open this long after its settlement deadline t0 + W + 60 s (ms):
   * the safety net when the resolver is down. Default 60000 (the resolver's own sweep comes first).
   */
  DEAD_MAN_GRACE_MS: env.intBetween(0, 3_600_000, 60_000),
  /**
   * How often the dead-man sweep looks for overdue bets (ms). Default 5000. 0 turns the safety net
   * off — only for tests whose fixture bets lie in the past; logged as a warning at start.
   */
  DEAD_MAN_SWEEP_INTERVAL_MS: env.intBetween(0, 600_000, 5_000),
  /**
   * How often the batcher writes its heartbeat and lag to Redis (ms); ingest-api refuses bets
   * `batcher_behind` when it is stale (streams/heartbeat.ts). Default 500.
   */
  HEARTBEAT_INTERVAL_MS: env.intBetween(50, 10_000, 500),
  /** How often the ledger head (hash, rows, time) is appended to the anchors file (ms). Default 60000. */
  ANCHOR_INTERVAL_MS: env.intBetween(1_000, 3_600_000, 60_000),
  /** Closed segments kept on local disk after they are archived (SPEC §8: the last 4). Default 4. */
  SEGMENTS_KEPT_LOCAL: env.intBetween(1, 52, 4),
  /**
   * How often the archiver's manifest copy is read to delete archived segments past the kept ones
   * (segment-retention.ts), ms; also once at start. Default 600000.
   */
  SEGMENT_RETENTION_INTERVAL_MS: env.intBetween(100, 86_400_000, 600_000),
  /** The append-only anchors file (JSON lines). Default <DATA_DIR>/ledger-anchors.jsonl. */
  ANCHORS_FILE: z.string().startsWith('/', 'must be an absolute path').optional(),
  /**
   * Passive WAL checkpoint after this many batches without an idle moment, at the next batch that
   * applies a print (at twice as many without one: consumer.ts checkpointDue). Default 200.
   */
  CHECKPOINT_EVERY_BATCHES: env.intBetween(1, 1_000_000, 200),
  /**
   * Benchmark hook: run the segment with `synchronous=NORMAL` so the benchmark can compare it with
   * FULL on the real batcher. Never in production: SPEC §6 requires FULL (with NORMAL a committed
   * batch can vanish on power loss after its entries were acknowledged). Logged as a warning at
   * start and reported by /healthz. Default false.
   */
  BENCH_SYNCHRONOUS_NORMAL: env.bool(false),
  /** Chaos hook: SIGKILL self at this point (one of FAIL_POINTS). Unset in production. */
  BATCHER_FAIL_POINT: z.enum(FAIL_POINTS).optional(),
  /**
   * Chaos hook: the fail point fires on this batch (1 = the first batch with entries), or for a
   * `rollover_*` point on this roll-over of the process. Default 1.
   */
  BATCHER_FAIL_AFTER_BATCHES: env.intBetween(1, 1_000_000, 1),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
