/**
 * Test and benchmark harness: the built resolver (`dist/main.js`) against a real Redis under a
 * fresh key prefix, with a temp DATA_DIR holding this week's segment (created and written as the
 * batcher would). Publishes prints, accepted events and breaker intervals, and reads settlements.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannels, decodeEntry, encodeEntry } from '@tap/channels';
import {
  type BetEntry,
  type EventEntry,
  isoWeekOf,
  migrate,
  type PrintEntry,
  SEGMENT_MIGRATIONS,
  type SettlementEntry,
  segmentPath,
  segmentsDir,
  WRITER_PRAGMAS,
} from '@tap/domain';
import { Redis } from '@tap/runtime';
import type { BreakerInterval } from '@tap/settlement';
import {
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit/standalone';
import Database from 'better-sqlite3';

export type ResolverHarness = Awaited<ReturnType<typeof startResolverHarness>>;

export async function startResolverHarness(redisServer: TestRedis, env: Record<string, string> = {}) {
  const prefix = freshPrefix();
  const channels = createChannels(prefix);
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-resolver-'));
  mkdirSync(segmentsDir(dataDir));
  const db = new Database(segmentPath(dataDir, isoWeekOf(Date.now())));
  for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
  migrate(db, SEGMENT_MIGRATIONS);
  const insertBet = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp,
       status, terms, placed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?)`,
  );
  const redis = new Redis(redisServer.url);
  const port = await freePort();
  let daemon: Started | null = null;

  return {
    channels,
    redis,
    dataDir,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
    get daemon() {
      return daemon;
    },

    /** Starts the resolver and waits for /healthz. */
    async start(): Promise<Started> {
      daemon = startDaemon('resolver', {
        REDIS_URL: redisServer.url,
        TAP_KEY_PREFIX: prefix,
        OPS_PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...env,
      });
      await waitForHealthy(this.healthUrl, 20_000);
      return daemon;
    },

    async health(): Promise<Record<string, unknown>> {
      return (await (await fetch(this.healthUrl)).json()) as Record<string, unknown>;
    },

    /** Writes bets to the segment as the batcher does once it has applied them. */
    insertBets(bets: readonly BetEntry[]): void {
      db.transaction(() => {
        for (const b of bets) {
          insertBet.run(
            b.betId,
            b.userId,
            b.clientBetId,
            b.t0,
            b.p0,
            b.windowMs,
            b.bandCents,
            b.stakeMicros,
            b.multiplierBp,
            JSON.stringify(b.terms),
            b.placedAt,
          );
        }
      })();
    },

    async publishAccepted(bets: readonly BetEntry[]): Promise<void> {
      const pipeline = redis.pipeline();
      for (const b of bets) {
        const { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp } = b;
        const event: EventEntry = {
          type: 'bet',
          userId: b.userId,
          betId: b.betId,
          status: 'accepted',
          balanceMicros: 0,
          bet: { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp },
        };
        pipeline.xadd(channels.streams.events, '*', ...encodeEntry('events', event));
      }
      await pipeline.exec();
    },

    async publishPrints(prints: readonly PrintEntry[]): Promise<void> {
      const pipeline = redis.pipeline();
      for (const p of prints) pipeline.xadd(channels.streams.prices, '*', ...encodeEntry('prices', p));
      await pipeline.exec();
    },

    async recordBreakerInterval(interval: BreakerInterval): Promise<void> {
      await redis.zadd(channels.keys.breakerIntervals, interval.from, JSON.stringify(interval));
    },

    async settlements(): Promise<SettlementEntry[]> {
      const entries = await redis.xrange(channels.streams.settlements, '-', '+');
      return entries.map(([, fields]) => {
        const decoded = decodeEntry('settlements', fields);
        if (!decoded.ok) throw new Error(`bad settlement: ${decoded.reason}`);
        return decoded.value;
      });
    },

    async pendingPrints(): Promise<number> {
      const [count] = (await redis.xpending(channels.streams.prices, channels.groups.resolver)) as [number];
      return count;
    },

    async close(): Promise<void> {
      await daemon?.stop('SIGKILL');
      redis.disconnect();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
