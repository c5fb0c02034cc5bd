/**
 * The restore worker (`archiver restores`) against real Redis and s3rver: a job cut by a crash is
 * redone by the next worker (its request stays pending in the consumer group), and a request is
 * deleted from the stream once its job ended — the stream's length is the queue bound.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLocalManifest, readRestoreJob, requestRestore } from '@tap/archive';
import { createChannels } from '@tap/channels';
import { isoWeekOf, isoWeekScheme, restoredSegmentPath, segmentPath, segmentsDir } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  type FaultProxy,
  freshPrefix,
  startDaemon,
  startFaultProxy,
  startRedis,
  startS3,
  type TestRedis,
  type TestS3,
  writeSegmentFile,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDownSegments, runArchiver } from './testing.js';

let s3: TestS3;
let redisServer: TestRedis;
let proxy: FaultProxy;
beforeAll(async () => {
  [s3, redisServer] = await Promise.all([startS3({ bucket: 'tap-archive' }), startRedis()]);
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([s3.stop(), redisServer.stop()]);
});

const until = async (probe: () => Promise<boolean>, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('archiver restores', () => {
  it('redoes a job cut by a crash, then deletes its request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-restores-'));
    mkdirSync(segmentsDir(dataDir));
    for (const name of ['2020-W01', '2020-W02']) {
      const openedAtMs = isoWeekScheme.ofName(name)!.startMs;
      writeSegmentFile(segmentPath(dataDir, name), { users: 4, openedAtMs, state: 'closed' });
    }
    writeSegmentFile(segmentPath(dataDir, isoWeekOf(Date.now())), { users: 2 });
    const s3Env = {
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      OPS_PORT: '0',
      DATA_DIR: dataDir,
    };
    const archive = await runArchiver('archive', { ...s3Env, S3_ENDPOINT: s3.endpoint });
    expect(archive.code, archive.log).toBe(0);

    const prefix = freshPrefix();
    const channels = createChannels(prefix);
    const redis = new Redis(redisServer.url);
    const entry = readLocalManifest(dataDir)!.segments['2020-W01']!;
    const asked = await requestRestore(redis, channels, {
      jobId: '11111111-1111-4111-8111-111111111111',
      segment: '2020-W01',
      bytesTotal: entry.compressed.bytes,
      nowMs: Date.now(),
      queuedMax: 4,
    });
    expect(asked).toEqual({ ok: true, jobId: '11111111-1111-4111-8111-111111111111', created: true });
    const workerEnv = { ...s3Env, REDIS_URL: redisServer.url, TAP_KEY_PREFIX: prefix };
    // The workers too meet segments/ read-only (as in production, issue 16).
    const user = lockDownSegments(workerEnv, mkdtempSync(join(tmpdir(), 'tap-textfile-')))?.user;
    const pending = async () =>
      ((await redis.xpending(channels.streams.restores, channels.groups.archiver)) as [number])[0];

    // S3 hangs: the first worker takes the request and is killed mid-job.
    proxy.setFault({ kind: 'stall', afterBytes: 0 });
    const first = startDaemon('archiver', { ...workerEnv, S3_ENDPOINT: proxy.url }, ['restores'], { user });
    try {
      await until(async () => (await pending().catch(() => 0)) === 1, 'the first worker to take the request');
    } finally {
      await first.stop('SIGKILL');
      proxy.setFault({ kind: 'none' });
    }
    expect(existsSync(restoredSegmentPath(dataDir, '2020-W01'))).toBe(false);

    const second = startDaemon('archiver', { ...workerEnv, S3_ENDPOINT: s3.endpoint }, ['restores'], {
      user,
    });
    try {
      await until(
        async () => (await readRestoreJob(redis, channels, asked.ok ? asked.jobId : ''))?.state === 'done',
        'the second worker to finish the job',
      );
      expect(existsSync(restoredSegmentPath(dataDir, '2020-W01'))).toBe(true);
      await until(
        async () => (await redis.xlen(channels.streams.restores)) === 0,
        'the request to be deleted',
      );
      expect(await pending()).toBe(0);
    } finally {
      await second.stop();
      redis.disconnect();
    }
  }, 120_000);
});
