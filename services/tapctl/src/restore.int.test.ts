/**
 * The restore drill (SPEC §8) on real servers: traffic through the real batcher (deposits, bets,
 * wins, losses), older weeks archived and the hot week backed up while the batcher runs; then the
 * data directory is wiped and `tapctl restore --from-s3` rebuilds it. Every balance, bet and ledger
 * row must equal the original, and a batcher started on the restored directory rebuilds exactly
 * the Redis cache the first one had. A corrupted object is refused by restore.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createS3 } from '@tap/archive';
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import { isoWeekOf, listSegments, readSegmentState, segmentPath, segmentsDir } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  aBet,
  admitBet,
  anAdjustment,
  aSettlement,
  freePort,
  freshPrefix,
  startDaemon,
  startRedis,
  startS3,
  type TestRedis,
  type TestS3,
  waitForHealthy,
  writeSegmentFile,
} from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheOf, type Rows, rowsIn } from './drill-testing.js';

const USD = 1_000_000;
const USERS = 6;
const wallet = (n: number) => `0x${(n + 1).toString(16).padStart(40, 'a')}`;
const OLD_WEEKS = ['2020-W10', '2020-W11'];

let redisServer: TestRedis;
let s3: TestS3;
let redis: Redis;
beforeAll(async () => {
  [redisServer, s3] = await Promise.all([startRedis(), startS3({ bucket: 'tap-archive' })]);
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis.disconnect();
  await Promise.all([redisServer.stop(), s3.stop()]);
});

const s3Env = () => ({
  S3_ENDPOINT: s3.endpoint,
  S3_BUCKET: s3.bucket,
  S3_ACCESS_KEY_ID: s3.accessKeyId,
  S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  S3_RETRY_ATTEMPTS: '1',
});

async function run(service: string, env: Record<string, string>, args: string[]) {
  const textfileDir = mkdtempSync(join(tmpdir(), 'tap-textfile-'));
  const proc = startDaemon(service, { ...s3Env(), OPS_PORT: '0', TEXTFILE_DIR: textfileDir, ...env }, args);
  const { code } = await proc.exited;
  return { code, out: [...proc.lines, ...proc.stderr].join('\n') };
}

async function startBatcher(dataDir: string, prefix: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const batcher = startDaemon('batcher', {
    REDIS_URL: redisServer.url,
    TAP_KEY_PREFIX: prefix,
    DATA_DIR: dataDir,
    OPS_PORT: String(port),
    LOG_LEVEL: 'warn',
    ...env,
  });
  await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 20_000);
  return batcher;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a roll-over's carry is in progress: some segment is still `closing`. */
function carrying(dataDir: string): boolean {
  return listSegments(dataDir).some((segment) => {
    const db = new Database(segment.path, { readonly: true, fileMustExist: true });
    try {
      return readSegmentState(db) === 'closing';
    } finally {
      db.close();
    }
  });
}

async function untilAsync(probe: () => Promise<number>, wanted: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await probe()) !== wanted) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${wanted}, have ${await probe()}`);
    await sleep(50);
  }
}

async function until(probe: () => number, wanted: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (probe() !== wanted) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${wanted}, have ${probe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function traffic(channels: Channels, hotPath: string): Promise<void> {
  const count = (sql: string) => {
    const db = new Database(hotPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).pluck().get() as number;
    } finally {
      db.close();
    }
  };
  for (let u = 0; u < USERS; u += 1) {
    await redis.xadd(
      channels.streams.adjustments,
      '*',
      ...encodeEntry('adjustments', anAdjustment({ userId: wallet(u), amountMicros: (50 + u) * USD })),
    );
  }
  await until(() => count('SELECT COUNT(*) FROM users'), USERS);
  for (let u = 0; u < USERS; u += 1) await redis.hincrby(channels.keys.wallet(wallet(u)), 'balance', 0);
  // Cells still open for a while (inside the 60 s horizon the batcher re-checks), so the rebuilt
  // cache must carry their exposure keys too.
  const t0 = Math.ceil((Date.now() + 50_000) / 5_000) * 5_000;
  const bets = Array.from({ length: USERS * 4 }, (_, i) =>
    aBet({ userId: wallet(i % USERS), stakeMicros: (1 + (i % 3)) * USD, t0, placedAt: Date.now() }),
  );
  for (const bet of bets) await admitBet(redis, channels, bet);
  await until(() => count("SELECT COUNT(*) FROM bets WHERE status = 'accepted'"), bets.length);
  for (const [i, bet] of bets.entries()) {
    if (i % 3 === 2) continue; // a third stay open: carried in the cache's exposure
    const entry = aSettlement({ betId: bet.betId, outcome: i % 2 === 0 ? 'won' : 'lost' });
    await redis.xadd(channels.streams.settlements, '*', ...encodeEntry('settlements', entry));
  }
  await until(() => count("SELECT COUNT(*) FROM bets WHERE status IN ('won', 'lost')"), 16);
}

describe('restore drill (real batcher, Redis, S3)', () => {
  it('restores every balance, bet and ledger row, and the batcher resumes with the same cache', async () => {
    const prefix = freshPrefix();
    const channels = createChannels(prefix);
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-drill-'));
    const hot = segmentPath(dataDir, isoWeekOf(Date.now()));
    const first = await startBatcher(dataDir, prefix);
    // Two older weeks, closed long ago (written beside the running batcher's current segment).
    for (const week of OLD_WEEKS) writeSegmentFile(segmentPath(dataDir, week), { users: 7, state: 'closed' });
    let before: Rows;
    let original: Rows;
    let cache: Record<string, string | null>;
    let midMs: number;
    try {
      await traffic(channels, hot);
      const archive = await run('archiver', { DATA_DIR: dataDir }, ['archive']);
      expect(archive.code, archive.out).toBe(0);
      const backup = await run('archiver', { DATA_DIR: dataDir, REDIS_DATA_DIR: redisServer.dir }, [
        'backup',
      ]);
      expect(backup.code, backup.out).toBe(0);
      before = rowsIn(dataDir);
      // Backups are named to the second: the next one is a second later, with one more deposit.
      await sleep(1_100);
      midMs = Date.now();
      await redis.xadd(
        channels.streams.adjustments,
        '*',
        ...encodeEntry('adjustments', anAdjustment({ userId: wallet(99), amountMicros: 7 * USD })),
      );
      await until(() => rowsIn(dataDir)[`${isoWeekOf(Date.now())}.db`]!.users.length, USERS + 1);
      await sleep(1_100);
      const second = await run('archiver', { DATA_DIR: dataDir, REDIS_DATA_DIR: redisServer.dir }, [
        'backup',
      ]);
      expect(second.code, second.out).toBe(0);
      original = rowsIn(dataDir);
      cache = await cacheOf(redis, channels);
      expect(Object.keys(cache).length).toBeGreaterThan(USERS);
    } finally {
      await first.stop();
    }

    rmSync(dataDir, { recursive: true, force: true });
    const restore = await run('tapctl', { DATA_DIR: dataDir }, ['restore', '--from-s3']);
    expect(restore.code, restore.out).toBe(0);
    expect(restore.out).toContain(`${isoWeekOf(Date.now())}  from backup`);
    for (const week of OLD_WEEKS) expect(restore.out).toContain(`${week}  from archive`);
    expect(restore.out).toContain('Redis files of');
    expect(rowsIn(dataDir)).toEqual(original);
    expect(original[`${isoWeekOf(Date.now())}.db`]!.ledger.length).toBeGreaterThan(USERS * 4);

    // A second restore into the same directory is refused and changes nothing.
    const again = await run('tapctl', { DATA_DIR: dataDir }, ['restore', '--from-s3']);
    expect(again.code).toBe(1);
    expect(again.out).toContain('data_dir_not_empty');
    expect(rowsIn(dataDir)).toEqual(original);

    // Point in time: --at between the two backups restores the first one.
    const earlier = mkdtempSync(join(tmpdir(), 'tap-drill-at-'));
    const at = await run('tapctl', { DATA_DIR: earlier }, [
      'restore',
      '--from-s3',
      '--at',
      new Date(midMs).toISOString(),
    ]);
    expect(at.code, at.out).toBe(0);
    expect(rowsIn(earlier)).toEqual(before);
    expect(before).not.toEqual(original);

    // The batcher starts on the restored directory and rebuilds the cache the first one had.
    await redis.del(channels.keys.balanceCacheReady);
    for (const name of Object.keys(cache)) {
      const [key, field] = name.split('#') as [string, string | undefined];
      if (field) await redis.hset(key, field, 'stale');
      else await redis.set(key, 'stale');
    }
    const second = await startBatcher(dataDir, prefix);
    try {
      expect(await cacheOf(redis, channels)).toEqual(cache);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('restores a data directory written across several roll-overs', async () => {
    const bucket = `r-${Math.random().toString(36).slice(2, 10)}`;
    const client = s3Client();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    const prefix = freshPrefix();
    const channels = createChannels(prefix);
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-drill-roll-'));
    const period = { SEGMENT_PERIOD: '2000ms' };
    const batcher = await startBatcher(dataDir, prefix, period);
    let cache: Record<string, string | null>;
    try {
      // Deposits and open bets in every period: balances and open bets are carried over each roll-over.
      for (let round = 1; round <= 4; round += 1) {
        for (let u = 0; u < 3; u += 1) {
          const userId = wallet(u);
          await redis.xadd(
            channels.streams.adjustments,
            '*',
            ...encodeEntry('adjustments', anAdjustment({ userId, amountMicros: 10 * USD })),
          );
          const t0 = Math.ceil((Date.now() + 50_000) / 5_000) * 5_000;
          await admitBet(redis, channels, aBet({ userId, stakeMicros: USD, t0, placedAt: Date.now() }));
        }
        await untilAsync(
          async () => Number(await redis.hget(channels.keys.wallet(wallet(2)), 'balance')),
          round * 9 * USD,
        );
        await sleep(2_100);
      }
      expect(listSegments(dataDir).length).toBeGreaterThanOrEqual(4);
      await untilAsync(async () => (carrying(dataDir) ? 1 : 0), 0);
      cache = await cacheOf(redis, channels);
    } finally {
      await batcher.stop();
    }
    // The backup is taken in the middle of a carry: a batcher restarted with the fail point kills
    // itself at its first roll-over after the switch, leaving the old segment `closing` (neither
    // archived nor hot). The backup holds it; the restored batcher finishes the carry.
    const crashing = startDaemon('batcher', {
      ...{ REDIS_URL: redisServer.url, TAP_KEY_PREFIX: prefix, DATA_DIR: dataDir, OPS_PORT: '0' },
      ...{ LOG_LEVEL: 'warn', BATCHER_FAIL_POINT: 'rollover_during_carry', ...period },
    });
    await crashing.exited;
    expect(carrying(dataDir)).toBe(true);
    const s3 = { S3_BUCKET: bucket };
    const archive = await run('archiver', { ...s3, DATA_DIR: dataDir }, ['archive']);
    expect(archive.code, archive.out).toBe(0);
    const backup = await run('archiver', { ...s3, DATA_DIR: dataDir, REDIS_DATA_DIR: redisServer.dir }, [
      'backup',
    ]);
    expect(backup.code, backup.out).toBe(0);
    const original = rowsIn(dataDir);

    // As many segments as the directory held: the default (--segments 5, four closed weeks and the
    // hot one) would leave some of these 2-second ones in S3, and the archive run already deleted
    // local segments past its retention (they are in S3 only, as in production).
    const held = String(Object.keys(original).length);
    rmSync(dataDir, { recursive: true, force: true });
    const restore = await run('tapctl', { ...s3, DATA_DIR: dataDir }, [
      ...['restore', '--from-s3', '--segments', held],
    ]);
    expect(restore.code, restore.out).toBe(0);
    expect(restore.out).toContain('from archive');
    expect(rowsIn(dataDir)).toEqual(original);
    expect(carrying(dataDir)).toBe(true);

    await redis.del(channels.keys.balanceCacheReady);
    const again = await startBatcher(dataDir, prefix, period);
    try {
      expect(await cacheOf(redis, channels)).toEqual(cache);
      await untilAsync(async () => (carrying(dataDir) ? 1 : 0), 0);
    } finally {
      await again.stop();
    }
  }, 120_000);

  it('backs up a consistent snapshot while the batcher applies deposits', async () => {
    const bucket = `w-${Math.random().toString(36).slice(2, 10)}`;
    const client = s3Client();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    const prefix = freshPrefix();
    const channels = createChannels(prefix);
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-drill-live-'));
    const batcher = await startBatcher(dataDir, prefix);
    let writing = true;
    let sent = 0;
    const writer = (async () => {
      while (writing) {
        await redis.xadd(
          channels.streams.adjustments,
          '*',
          ...encodeEntry('adjustments', anAdjustment({ userId: wallet(sent % 20), amountMicros: USD })),
        );
        sent += 1;
        if (sent % 50 === 0) await sleep(5);
      }
    })();
    try {
      await sleep(300);
      const backup = await run(
        'archiver',
        { S3_BUCKET: bucket, DATA_DIR: dataDir, REDIS_DATA_DIR: redisServer.dir },
        ['backup'],
      );
      expect(backup.code, backup.out).toBe(0);
    } finally {
      writing = false;
      await writer;
    }
    const hot = `${isoWeekOf(Date.now())}.db`;
    await until(() => rowsIn(dataDir)[hot]!.ledger.length, sent);
    await batcher.stop();
    const final = rowsIn(dataDir)[hot]!;

    // The snapshot restores and proves (restore checks every hash and the proof); its ledger is a
    // prefix of what the batcher went on to write, row for row.
    const restoredDir = mkdtempSync(join(tmpdir(), 'tap-drill-live-restored-'));
    const restore = await run('tapctl', { S3_BUCKET: bucket, DATA_DIR: restoredDir }, [
      'restore',
      '--from-s3',
    ]);
    expect(restore.code, restore.out).toBe(0);
    const snapshot = rowsIn(restoredDir)[hot]!;
    expect(snapshot.ledger.length).toBeGreaterThan(0);
    expect(snapshot.ledger.length).toBeLessThan(final.ledger.length); // deposits went on during the backup
    expect(snapshot.ledger).toEqual(final.ledger.slice(0, snapshot.ledger.length));
  }, 120_000);

  const corruptions = [
    { what: 'an archived segment', key: async () => `segments/${OLD_WEEKS[0]}.db.zst`, args: [] as string[] },
    { what: 'a backup', key: newestBackupKey, args: ['--segments', '1'] },
  ];
  for (const { what, key: keyOf, args } of corruptions) {
    it(`refuses ${what} with a flipped byte and leaves no segment behind`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tap-drill-bad-'));
      const client = s3Client();
      // Bit rot in the bucket: the same object with one byte flipped, its metadata kept.
      const key = await keyOf();
      const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      await client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: bytes, Metadata: object.Metadata }),
      );
      client.destroy();

      const restore = await run('tapctl', { DATA_DIR: dataDir }, ['restore', '--from-s3', ...args]);
      expect(restore.code).toBe(1);
      expect(restore.out).toContain(key);
      expect(restore.out).toContain('sha256');
      expect(readdirSync(dataDir).includes('segments') ? readdirSync(segmentsDir(dataDir)) : []).toEqual([]);
    }, 60_000);
  }
});

function s3Client() {
  return createS3({
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_RETRY_ATTEMPTS: 1,
    S3_RETRY_BASE_MS: 1,
    S3_REQUEST_TIMEOUT_MS: 10_000,
  });
}

async function newestBackupKey(): Promise<string> {
  const client = s3Client();
  const listed = await client.send(
    new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `backups/${isoWeekOf(Date.now())}/` }),
  );
  client.destroy();
  return (listed.Contents ?? [])
    .map((o) => o.Key!)
    .sort()
    .at(-1)!;
}
