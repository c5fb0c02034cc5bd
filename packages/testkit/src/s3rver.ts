/** A real S3-compatible server (s3rver) for a test, on 127.0.0.1 with a random port and temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startProcess } from './process.js';
import { REPO_ROOT } from './repo.js';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  pid: number;
  /** s3rver accepts any credentials; these are its documented defaults. */
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

const S3RVER_BIN = join(REPO_ROOT, 'packages', 'testkit', 'bin', 's3rver.cjs');

export async function startS3(options: { bucket?: string } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'tap-archive';
  const dir = await mkdtemp(join(tmpdir(), 'tap-s3-'));
  const port = await freePort();
  const proc = startProcess(process.execPath, [S3RVER_BIN, String(port), dir, bucket], {
    cwd: join(REPO_ROOT, 'packages', 'testkit'),
  });
  await proc.waitForLine((line) => line.startsWith('s3rver.ready'), 15_000);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    pid: proc.pid,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async stop() {
      await proc.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
