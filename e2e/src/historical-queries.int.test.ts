/**
 * Historical queries end to end (issue 17, SPEC §8): weeks archived by the real archiver into a
 * real S3 server (s3rver) and deleted locally are asked for through ingest-api; the query answers
 * `202 restore_pending` with one job per segment, the archiver's restore worker fetches, verifies
 * and caches the segment, `GET /v1/restores/:id` reports it, and the same query then answers with
 * the rows the week held. The limits refuse what would download more; a corrupted archive is never
 * served.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { signIn as clientSignIn, createTapApi } from '@tap/client';
import {
  isoWeekOf,
  isoWeekScheme,
  type LedgerDbRow,
  openSegmentReadOnly,
  segmentPath,
  segmentsDir,
} from '@tap/domain';
import {
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  startRedis,
  startS3,
  type TestRedis,
  type TestS3,
  waitForHealthy,
  writeSegmentFile,
} from '@tap/testkit';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN } from './trader.js';

const ARCHIVED = ['2019-W52', '2020-W01', '2020-W02', '2020-W03'];
const KEPT = '2020-W04';
const BETS_PER_USER = 6;

let redis: TestRedis;
let s3: TestS3;
let worker: Started;
let api: Started;
let apiUrl: string;
let dataDir: string;
let prefix: string;
const traders: PrivateKeyAccount[] = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()));
/** Each archived week's ledger rows of the first trader, read before they were deleted locally. */
const originalLedger: Record<string, LedgerDbRow[]> = {};

const week = (name: string) => isoWeekScheme.ofName(name)!;

beforeAll(async () => {
  // Redis with the production ACL users: the restore worker and ingest-api each as its own.
  prefix = freshPrefix();
  [redis, s3] = await Promise.all([startRedis({ aclPrefix: prefix }), startS3({ bucket: 'tap-archive' })]);
  dataDir = mkdtempSync(join(tmpdir(), 'tap-history-'));
  mkdirSync(segmentsDir(dataDir));
  const userIds = traders.map((t) => t.address.toLowerCase());
  for (const name of [...ARCHIVED, KEPT]) {
    const path = segmentPath(dataDir, name);
    writeSegmentFile(path, {
      users: 5,
      userIds,
      betsPerUser: BETS_PER_USER,
      openedAtMs: week(name).startMs,
      state: 'closed',
    });
    const db = openSegmentReadOnly(path);
    originalLedger[name] = db
      .prepare('SELECT * FROM transaction_ledger WHERE user_id = ? ORDER BY id DESC')
      .all(userIds[0]) as LedgerDbRow[];
    db.close();
  }
  writeSegmentFile(segmentPath(dataDir, isoWeekOf(Date.now())), { users: 2 });
  const s3Env = {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_RETRY_ATTEMPTS: '2',
    S3_RETRY_BASE_MS: '20',
    DATA_DIR: dataDir,
  };
  // The weekly archive ships the four closed weeks; only the newest one stays local. Deleting the
  // others is the batcher's (SEGMENTS_KEPT_LOCAL=1, services/batcher/src/storage/segment-retention.ts,
  // which no test here runs): done by hand.
  const archive = startDaemon(
    'archiver',
    { ...s3Env, OPS_PORT: '0', TEXTFILE_DIR: mkdtempSync(join(tmpdir(), 'tap-textfile-')) },
    ['archive'],
  );
  expect((await archive.exited).code, archive.lines.join('\n')).toBe(0);
  for (const name of ARCHIVED) rmSync(segmentPath(dataDir, name));
  expect(readdirSync(segmentsDir(dataDir)).filter((f) => f.endsWith('.db'))).not.toContain('2019-W52.db');

  const workerPort = await freePort();
  worker = startDaemon(
    'archiver',
    {
      ...s3Env,
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      ...redis.daemonCredentials('archiver'),
      TAP_KEY_PREFIX: prefix,
      OPS_PORT: String(workerPort),
    },
    ['restores'],
  );
  const port = await freePort();
  api = startDaemon('ingest-api', {
    ...LOGIN,
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    ...redis.daemonCredentials('ingest-api'),
    TAP_KEY_PREFIX: prefix,
    HTTP_PORT: String(port),
    LOGIN_WORKERS: '1',
    DATA_DIR: dataDir,
    RESTORE_JOBS_PER_HOUR_PER_WALLET: '2',
  });
  apiUrl = `http://127.0.0.1:${port}`;
  await Promise.all([
    waitForHealthy(`http://127.0.0.1:${workerPort}/healthz`, 30_000),
    waitForHealthy(`${apiUrl}/healthz`, 30_000),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await Promise.all([redis?.stop(), s3?.stop()]);
});

async function tokenOf(trader: PrivateKeyAccount): Promise<string> {
  const login = await clientSignIn(createTapApi({ baseUrl: apiUrl }), trader, {
    domain: LOGIN.LOGIN_DOMAIN,
    uri: LOGIN.LOGIN_URI,
  });
  if (!login.ok) throw new Error(`sign-in refused: ${login.error}`);
  return login.value.token;
}

async function get(path: string, token?: string) {
  const res = await fetch(`${apiUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Polls the job until it ended; returns its last state. */
async function jobEnded(jobId: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await get(`/v1/restores/${jobId}`);
    expect(res.status).toBe(200);
    if (res.body.state === 'done' || res.body.state === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`restore job still ${res.body.state} after 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ledgerOf = (name: string) =>
  `/v1/ledger?from=${week(name).startMs}&to=${week(name).endMs - 1}&limit=500`;

describe('historical queries over archived weeks', () => {
  it('answers 202 restore_pending with one job per segment, then the rows the week held', async () => {
    const token = await tokenOf(traders[0]!);
    const first = await get(ledgerOf('2020-W01'), token);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ error: 'restore_pending', segment: '2020-W01' });
    expect(first.headers.get('retry-after')).toBe('2');
    const jobId = first.body.restoreJobId as string;
    // A second ask while the job is live joins it (and costs no restore token).
    const again = await get(ledgerOf('2020-W01'), token);
    if (again.status === 202) expect(again.body.restoreJobId).toBe(jobId);

    const job = await jobEnded(jobId);
    expect(job).toMatchObject({ restoreJobId: jobId, segment: '2020-W01', state: 'done' });
    expect(job.bytesDone).toBe(job.bytesTotal);
    expect(job.bytesTotal).toBeGreaterThan(0);
    expect(readdirSync(join(dataDir, 'restored'))).toContain('2020-W01.db');

    const answered = await get(ledgerOf('2020-W01'), token);
    expect(answered.status).toBe(200);
    const rows = answered.body.rows as { id: number; hash: string; amountMicros: number; refType: string }[];
    expect(rows.length).toBe(BETS_PER_USER + 1);
    expect(rows.map((r) => [r.id, r.hash, r.amountMicros, r.refType])).toEqual(
      originalLedger['2020-W01']!.map((r) => [r.id, r.hash, r.amount, r.ref_type]),
    );
  });

  it('finds an archived bet by id and a trader’s archived bets by period', async () => {
    const token = await tokenOf(traders[0]!);
    const betId = originalLedger['2020-W02']!.find((r) => r.ref_type === 'bet_stake')!.ref_id;
    const pending = await get(`/v1/bets/${betId}`, token);
    expect(pending.status).toBe(202);
    expect(pending.body.segment).toBe('2020-W02');
    expect(await jobEnded(pending.body.restoreJobId as string)).toMatchObject({ state: 'done' });

    const bet = await get(`/v1/bets/${betId}`, token);
    expect(bet.status).toBe(200);
    expect(bet.body).toMatchObject({ betId, status: 'accepted' });
    // Another trader's archived bet reads as not found, as a local one does.
    expect((await get(`/v1/bets/${betId}`, await tokenOf(traders[1]!))).status).toBe(404);

    const listed = await get(
      `/v1/bets?from=${week('2020-W02').startMs}&to=${week('2020-W02').endMs - 1}&limit=200`,
      token,
    );
    expect(listed.status).toBe(200);
    expect((listed.body.bets as unknown[]).length).toBe(BETS_PER_USER);
  });

  it('refuses what would download more: a wide range, a wallet past its restore budget', async () => {
    const token = await tokenOf(traders[0]!);
    const wide = await get(
      `/v1/ledger?from=${week('2020-W01').startMs}&to=${week('2020-W03').endMs - 1}`,
      token,
    );
    expect(wide.status).toBe(400);
    expect(wide.body.error).toBe('invalid_query');
    // Trader 0 started two jobs (W01, W02) and may start two per hour.
    const third = await get(ledgerOf('2020-W03'), token);
    expect(third.status).toBe(429);
    expect(third.body.error).toBe('rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(readdirSync(join(dataDir, 'restored'))).not.toContain('2020-W03.db');
  });

  it('never serves an archive whose bytes changed in the bucket: the job fails, nothing is cached', async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'segments/2020-W03.db.zst', Body: 'not the archive' }),
    );
    client.destroy();
    const token = await tokenOf(traders[2]!);
    const pending = await get(ledgerOf('2020-W03'), token);
    expect(pending.status).toBe(202);
    const job = await jobEnded(pending.body.restoreJobId as string);
    expect(job).toMatchObject({ state: 'failed', error: 'integrity_mismatch' });
    expect(readdirSync(join(dataDir, 'restored'))).not.toContain('2020-W03.db');
    expect((await get(ledgerOf('2020-W03'), token)).status).not.toBe(200);
    expect((await get('/v1/restores/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('lets tapctl read an archived week: it asks for the restore, waits with --wait, prints the rows', async () => {
    const tapctl = async (...args: string[]) => {
      const run = startDaemon(
        'tapctl',
        {
          REDIS_URL: `redis://127.0.0.1:${redis.port}`,
          ...redis.daemonCredentials('tapctl'),
          TAP_KEY_PREFIX: prefix,
          DATA_DIR: dataDir,
        },
        [
          '--json',
          'ledger',
          traders[0]!.address,
          '--from',
          String(week('2019-W52').startMs),
          '--to',
          String(week('2019-W52').endMs - 1),
          ...args,
        ],
      );
      const { code } = await run.exited;
      return { code, stdout: run.lines.join('\n'), stderr: run.stderr.join('\n') };
    };
    const asked = await tapctl();
    expect(asked.code).toBe(1);
    expect(asked.stderr).toContain('restore_pending: 2019-W52');
    const waited = await tapctl('--wait');
    expect(waited.code, waited.stderr).toBe(0);
    const out = JSON.parse(waited.stdout) as { segments: string[]; rows: { id: number; hash: string }[] };
    expect(out.segments).toContain('2019-W52');
    expect(out.rows.map((r) => [r.id, r.hash])).toEqual(
      [...originalLedger['2019-W52']!].reverse().map((r) => [r.id, r.hash]),
    );
  });
});
