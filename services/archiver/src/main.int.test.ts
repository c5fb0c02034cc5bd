import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeJobLifecycle, startDaemon, startS3, type TestS3 } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3({ bucket: 'tap-archive' });
});
afterAll(() => s3.stop());

const s3Env = () => ({
  S3_ENDPOINT: s3.endpoint,
  S3_BUCKET: s3.bucket,
  S3_ACCESS_KEY_ID: s3.accessKeyId,
  S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  OPS_PORT: '0',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'tap-archiver-')),
});
const hangingEnv = (hangUrl: (scheme: string) => string) => ({
  S3_ENDPOINT: hangUrl('http'),
  S3_ACCESS_KEY_ID: 'x',
  S3_SECRET_ACCESS_KEY: 'y',
  DATA_DIR: tmpdir(),
});
const badEnv = { S3_BUCKET: 'B', S3_ENDPOINT: 'not-a-url', OPS_PORT: '-1' };

for (const mode of ['archive', 'backup']) {
  describeJobLifecycle({
    service: 'archiver',
    args: [mode],
    env: async () => s3Env(),
    hangingEnv,
    successMetric: `last_successful_${mode}_timestamp`,
    textfile: `archiver-${mode}.prom`,
    badEnv,
  });
}

describe('archiver archive run', () => {
  it('fails rather than report success while closed segments wait', async () => {
    const env = s3Env();
    mkdirSync(join(env.DATA_DIR, 'segments'));
    writeFileSync(join(env.DATA_DIR, 'segments', '2020-W01.db'), '');
    const job = startDaemon('archiver', { ...env, TEXTFILE_DIR: '' }, ['archive']);
    expect((await job.exited).code).toBe(1);
    expect(job.lines.join('\n')).toContain('2020-W01.db');
  });

  it('fails when the bucket does not exist', async () => {
    const job = startDaemon('archiver', { ...s3Env(), S3_BUCKET: 'no-such-bucket', TEXTFILE_DIR: '' }, [
      'archive',
    ]);
    expect((await job.exited).code).toBe(1);
  });
});
