/**
 * Redis against SQLite (issue 18): the balance cache equals the SQLite balance minus the stakes in
 * flight, and the open-bet counts and exposure keys (per user, in total, per cell and column) equal
 * what the open and in-flight bets imply — exactly what the batcher's start-up rebuild writes
 * (`planCache` and `readInFlightBets` of @tap/channels, one definition for both).
 *
 * **In flight** = bets in `tap:bets` after the batcher group's last-delivered id, plus entries
 * delivered but not acknowledged, that are not in the current segment (the batcher's own rule).
 *
 * **No false alarms on a live system.** The two sides are read at different instants while
 * admission and the batcher keep moving money (the batcher commits SQLite first and updates the
 * cache a few milliseconds later; a bet can be admitted between the reads). So a key is judged by
 * its *offset* (Redis − expected), read in rounds `settleMs` apart: a race shows as an offset that
 * changes or vanishes at the next round, a drift as the same offset again — it does not depend on
 * the trader's activity, which moves both sides alike. A key is reported when its offset is the
 * same non-zero value in `stableRounds` consecutive rounds; one still non-zero but never stable by
 * the last round is reported as unsettled (the check could not conclude, so it does not pass).
 * Exposure keys of a cell or column whose window's keys have expired (`W + 120 s` after t0, see
 * planCache) are not compared. The cache must be marked ready (`balance:ready`): while the batcher
 * rebuilds it, the check cannot run and fails.
 */
import {
  type CachePlan,
  type CacheSlot,
  type Channels,
  planCache,
  readInFlightBets,
  readSlots,
  slotName,
  slotOfName,
  WALLET_FIELDS,
} from '@tap/channels';
import type { BetEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import type Database from 'better-sqlite3';

const SCAN_COUNT = 1_000;
const PROBLEMS_MAX = 50;

export interface CacheCheckOptions {
  redis: Redis;
  channels: Channels;
  /** The current segment, read-only. */
  db: Database.Database;
  settleMs: number;
  roundsMax: number;
  stableRounds: number;
  signal: AbortSignal;
}

export interface CacheReport {
  keysCompared: number;
  inFlightBets: number;
  rounds: number;
  problems: string[];
}

export class CacheNotReady extends Error {}

export async function checkCache(options: CacheCheckOptions): Promise<CacheReport> {
  const { redis, channels } = options;
  if ((await redis.exists(channels.keys.balanceCacheReady)) === 0) {
    throw new CacheNotReady('the balance cache is not marked ready (the batcher is rebuilding it, or down)');
  }
  /** Per suspect key: its offsets in the rounds so far (consecutive, newest last). */
  let suspects = new Map<string, number[]>();
  const report: CacheReport = { keysCompared: 0, inFlightBets: 0, rounds: 0, problems: [] };
  for (let round = 1; round <= options.roundsMax; round += 1) {
    options.signal.throwIfAborted();
    const offsets = await roundOffsets(options, report, round === 1 ? undefined : [...suspects.keys()]);
    report.rounds = round;
    const next = new Map<string, number[]>();
    for (const [key, offset] of offsets) {
      if (offset === 0) continue;
      const seen = suspects.get(key) ?? [];
      next.set(key, seen.at(-1) === offset ? [...seen, offset] : [offset]);
    }
    suspects = next;
    const undecided = [...suspects.values()].some((seen) => seen.length < options.stableRounds);
    if (!undecided || round === options.roundsMax) break;
    await sleep(options.settleMs, options.signal);
  }
  for (const [key, seen] of suspects) {
    if (report.problems.length >= PROBLEMS_MAX) {
      report.problems.push(`… and ${suspects.size - PROBLEMS_MAX} more cache keys`);
      break;
    }
    const offset = seen.at(-1)!;
    report.problems.push(
      seen.length >= options.stableRounds
        ? `${key}: Redis is ${offset > 0 ? '+' : ''}${offset} off what SQLite and the stream imply (the same in ${seen.length} reads ${options.settleMs} ms apart)`
        : `${key}: Redis differs from SQLite by a changing amount in every read (last ${offset}): unsettled after ${report.rounds} rounds`,
    );
  }
  return report;
}

/** Redis − expected for every key (round 1) or the given keys; counts what was compared. */
async function roundOffsets(
  options: CacheCheckOptions,
  report: CacheReport,
  only: string[] | undefined,
): Promise<Map<string, number>> {
  const { redis, channels, db } = options;
  const slots = only ? only.map(slotOfName) : await scanFamilies(redis, channels);
  const actual = await readValues(redis, slots);
  const inFlight = await readInFlightBets(redis, channels, (candidates) => candidates);
  // One read transaction: the stored-bet lookups and the plan see one SQLite snapshot.
  const plan = db.transaction((bets: BetEntry[]) => {
    const stored = db.prepare('SELECT 1 FROM bets WHERE id = ?').pluck();
    const unstored = bets.filter((bet) => stored.get(bet.betId) === undefined);
    return { plan: planCache(db, unstored, channels, Date.now()), inFlight: unstored.length };
  })(inFlight.bets);
  report.inFlightBets = plan.inFlight;
  const names = only ?? [...new Set([...slots.map(slotName), ...plan.plan.keys()])];
  const offsets = new Map<string, number>();
  for (const name of names) {
    const expected = expectedValue(plan.plan, name, channels);
    if (expected === undefined) continue;
    const value = actual.get(name) ?? 0;
    offsets.set(name, Number.isNaN(value) ? Number.POSITIVE_INFINITY : value - expected);
  }
  if (!only) report.keysCompared = offsets.size;
  return offsets;
}

/** The value the key must hold; undefined for a cell or column key whose window has expired. */
function expectedValue(plan: CachePlan, key: string, channels: Channels): number | undefined {
  const planned = plan.get(key);
  if (planned) return planned.value;
  const windowed =
    key.startsWith(channels.keys.exposureColumn(0).replace(/0$/, '')) ||
    key.startsWith(channels.keys.exposureCell(0, 0).replace(/0:0$/, ''));
  return windowed ? undefined : 0;
}

/** Every cache slot in Redis: the exposure keys, and the cache fields of every wallet hash. */
async function scanFamilies(redis: Redis, channels: Channels): Promise<CacheSlot[]> {
  const slots: CacheSlot[] = [];
  const fields = [WALLET_FIELDS.balance, WALLET_FIELDS.exposure, WALLET_FIELDS.openBets] as const;
  for (const [pattern, wallet] of [
    [channels.cachePatterns.wallets, true],
    [channels.cachePatterns.exposure, false],
  ] as const) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      for (const key of found) {
        if (wallet) for (const field of fields) slots.push({ key, field });
        else slots.push({ key });
      }
      cursor = next;
    } while (cursor !== '0');
  }
  return slots;
}

/** Integer values by slot name (NaN for a value that is not one: always a problem). */
async function readValues(redis: Redis, slots: CacheSlot[]): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const [name, text] of await readSlots(redis, slots)) {
    values.set(name, /^-?\d+$/.test(text) ? Number(text) : Number.NaN);
  }
  return values;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
