/**
 * The Redis half of the restore drill (SPEC §6, §8; issue 17): the hourly backup ships Redis'
 * dump.rdb and appendonlydir/ beside the segment; after losing the machine, `tapctl restore
 * --from-s3` brings both back, a new redis-server starts on the restored files, and the stack goes
 * on where it stood: the same balances and exposure in the cache, the same open bets, the same
 * consumer-group positions (nothing re-applied, nothing skipped) and the events stream continuing
 * after its last id — then a new deposit and the settlement of a bet that was open at the backup
 * are applied once each.
 */
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import { type BetEntry, isoWeekOf, segmentPath } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  aBet,
  admitBet,
  anAdjustment,
  aSettlement,
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  startRedis,
  startS3,
  type TestRedis,
  type TestS3,
  waitForHealthy,
} from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheOf, rowsIn } from './drill-testing.js';

const USD = 1_000_000;
const wallet = (n: number) => `0x${(n + 1).toString(16).padStart(40, 'b')}`;

let s3: TestS3;
const servers: TestRedis[] = [];
beforeAll(async () => {
  s3 = await startS3({ bucket: 'tap-archive' });
});
afterAll(async () => {
  await Promise.all([...servers.map((r) => r.stop()), s3.stop()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => Promise<number> | number, wanted: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await probe()) !== wanted) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${wanted}, have ${await probe()}`);
    await sleep(50);
  }
}

async function run(service: string, env: Record<string, string>, args: string[]) {
  const proc = startDaemon(
    service,
    {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_RETRY_ATTEMPTS: '1',
      OPS_PORT: '0',
      TEXTFILE_DIR: mkdtempSync(join(tmpdir(), 'tap-textfile-')),
      ...env,
    },
    args,
  );
  const { code } = await proc.exited;
  return { code, out: [...proc.lines, ...proc.stderr].join('\n') };
}

async function startBatcher(redisUrl: string, prefix: string, dataDir: string): Promise<Started> {
  const port = await freePort();
  const batcher = startDaemon('batcher', {
    REDIS_URL: redisUrl,
    TAP_KEY_PREFIX: prefix,
    DATA_DIR: dataDir,
    OPS_PORT: String(port),
    LOG_LEVEL: 'warn',
  });
  await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 20_000);
  return batcher;
}

/** Where each stream stands: its last id, and the batcher group's last delivered id and pending count. */
async function streamPositions(redis: Redis, channels: Channels) {
  const out: Record<string, unknown> = {};
  for (const stream of [
    channels.streams.bets,
    channels.streams.adjustments,
    channels.streams.settlements,
    channels.streams.events,
  ]) {
    const info = (await redis.call('XINFO', 'STREAM', stream)) as unknown[];
    const field = (name: string) => info[info.indexOf(name) + 1];
    const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[][];
    const batcher = groups
      .map((g) =>
        Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [g[2 * i], g[2 * i + 1]])),
      )
      .find((g) => g.name === channels.groups.batcher);
    out[stream] = {
      lastId: field('last-generated-id'),
      batcher: batcher ? { lastDelivered: batcher['last-delivered-id'], pending: batcher.pending } : null,
    };
  }
  return out;
}

const statusOf = (dataDir: string, betId: string) => {
  const db = new Database(segmentPath(dataDir, isoWeekOf(Date.now())), { readonly: true });
  try {
    const row = db.prepare('SELECT status FROM bets WHERE id = ?').get(betId) as
      | { status: string }
      | undefined;
    return row?.status ?? 'not applied';
  } finally {
    db.close();
  }
};

describe('Redis restored from the backed-up RDB/AOF files', () => {
  it('restarts on them and the stack continues: same balances, open bets and stream positions', async () => {
    const prefix = freshPrefix();
    const channels = createChannels(prefix);
    const first = await startRedis();
    servers.push(first);
    const redis = new Redis(first.url);
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-redis-drill-'));
    let batcher = await startBatcher(first.url, prefix, dataDir);
    const bets: BetEntry[] = [];
    let before: { cache: unknown; positions: unknown };
    try {
      for (let u = 0; u < 4; u += 1) {
        const deposit = anAdjustment({ userId: wallet(u), amountMicros: 40 * USD });
        await redis.xadd(channels.streams.adjustments, '*', ...encodeEntry('adjustments', deposit));
      }
      await until(async () => Number(await redis.hget(channels.keys.wallet(wallet(3)), 'balance')), 40 * USD);
      const t0 = Math.ceil((Date.now() + 50_000) / 5_000) * 5_000;
      for (let i = 0; i < 8; i += 1) {
        bets.push(
          aBet({ userId: wallet(i % 4), stakeMicros: (1 + (i % 3)) * USD, t0, placedAt: Date.now() }),
        );
        await admitBet(redis, channels, bets.at(-1)!);
      }
      await until(() => bets.filter((b) => statusOf(dataDir, b.betId) === 'accepted').length, 8);
      for (const bet of bets.slice(0, 4)) {
        const settled = aSettlement({ betId: bet.betId, outcome: 'lost' });
        await redis.xadd(channels.streams.settlements, '*', ...encodeEntry('settlements', settled));
      }
      await until(() => bets.filter((b) => statusOf(dataDir, b.betId) === 'lost').length, 4);
      // appendfsync everysec: what the batcher acknowledged is in the AOF a second later.
      await sleep(1_500);
      before = { cache: await cacheOf(redis, channels), positions: await streamPositions(redis, channels) };
      const backup = await run('archiver', { DATA_DIR: dataDir, REDIS_DATA_DIR: first.dir }, ['backup']);
      expect(backup.code, backup.out).toBe(0);
    } finally {
      await batcher.stop();
      redis.disconnect();
    }
    await first.crash(); // the machine is lost: Redis and the data directory with it
    const original = rowsIn(dataDir);

    const restoredDir = mkdtempSync(join(tmpdir(), 'tap-redis-drill-restored-'));
    const restore = await run('tapctl', { DATA_DIR: restoredDir }, ['restore', '--from-s3']);
    expect(restore.code, restore.out).toBe(0);
    expect(rowsIn(restoredDir)).toEqual(original);
    const [stamp] = readdirSync(join(restoredDir, 'restored-redis'));
    const redisDir = mkdtempSync(join(tmpdir(), 'tap-redis-restored-'));
    cpSync(join(restoredDir, 'restored-redis', stamp!), redisDir, { recursive: true });
    // The AOF holds everything (a young Redis may not have written an RDB yet).
    expect(readdirSync(redisDir)).toContain('appendonlydir');

    const second = await startRedis({ dir: redisDir });
    servers.push(second);
    const restored = new Redis(second.url);
    try {
      expect(await streamPositions(restored, channels)).toEqual(before.positions);
      expect(await cacheOf(restored, channels)).toEqual(before.cache);
      batcher = await startBatcher(second.url, prefix, restoredDir);
      // The batcher rebuilt the cache from the restored segment: the same one; nothing re-applied.
      expect(await cacheOf(restored, channels)).toEqual(before.cache);
      expect(rowsIn(restoredDir)).toEqual(original);
      expect(bets.slice(4).map((b) => statusOf(restoredDir, b.betId))).toEqual(Array(4).fill('accepted'));

      // It goes on: a new deposit and the settlement of a bet open at the backup, each applied once.
      const lastEvent = (before.positions as Record<string, { lastId: string }>)[channels.streams.events]!
        .lastId;
      const balance = Number(await restored.hget(channels.keys.wallet(wallet(0)), 'balance'));
      await restored.xadd(
        channels.streams.adjustments,
        '*',
        ...encodeEntry('adjustments', anAdjustment({ userId: wallet(0), amountMicros: 5 * USD })),
      );
      const won = aSettlement({ betId: bets[4]!.betId, outcome: 'won' });
      await restored.xadd(channels.streams.settlements, '*', ...encodeEntry('settlements', won));
      await until(() => (statusOf(restoredDir, bets[4]!.betId) === 'won' ? 1 : 0), 1);
      const payout = Math.floor((bets[4]!.stakeMicros * bets[4]!.multiplierBp) / 10_000);
      await until(
        async () => Number(await restored.hget(channels.keys.wallet(wallet(0)), 'balance')),
        balance + 5 * USD + payout,
      );
      const events = (await restored.xrange(channels.streams.events, `(${lastEvent}`, '+')) as unknown[];
      expect(events.length).toBeGreaterThan(0);
      const hot = rowsIn(restoredDir)[`${isoWeekOf(Date.now())}.db`]!;
      expect(hot.ledger.length).toBe(original[`${isoWeekOf(Date.now())}.db`]!.ledger.length + 2);
    } finally {
      await batcher.stop();
      restored.disconnect();
    }
  }, 120_000);
});
