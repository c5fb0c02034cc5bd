/**
 * Test helper: one archiver run against a fresh textfile dir, with its exit code, log and textfiles.
 * The run meets the data directory as in production (issue 16): `segments/` read-only to it (as an
 * unprivileged user when the tests run as root), so a run that tried to write, create or delete a
 * segment file would fail — every archiver test proves it never does.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiverDir } from '@tap/archive';
import { RESTORED_DIR, segmentsDir } from '@tap/domain';
import { readOnlySegments, startDaemon } from '@tap/testkit';
import { stagingDir } from './archive-job.js';

export interface ArchiverRun {
  code: number | null;
  log: string;
  textfileDir: string;
  textfiles: string[];
  /** The value of `metric` in the success textfile, or undefined. */
  metric(name: string): number | undefined;
}

export async function runArchiver(mode: string, env: Record<string, string>): Promise<ArchiverRun> {
  const textfileDir = mkdtempSync(join(tmpdir(), 'tap-textfile-'));
  const sealed = lockDownSegments(env, textfileDir);
  const job = startDaemon(
    'archiver',
    { S3_RETRY_ATTEMPTS: '2', S3_RETRY_BASE_MS: '20', ...env, TEXTFILE_DIR: textfileDir },
    [mode],
    { user: sealed?.user },
  );
  const { code } = await job.exited;
  sealed?.restore();
  const textfiles = readdirSync(textfileDir);
  const success = textfiles.includes(`archiver-${mode}.prom`)
    ? readFileSync(join(textfileDir, `archiver-${mode}.prom`), 'utf8')
    : '';
  return {
    code,
    log: [...job.lines, ...job.stderr].join('\n'),
    textfileDir,
    textfiles,
    metric(name) {
      const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(success);
      return m ? Number(m[1]) : undefined;
    },
  };
}

/** The segments read-only to the run; what it may write: staging/, archive/, restored/, textfiles. */
export function lockDownSegments(env: Record<string, string>, textfileDir: string) {
  const dataDir = env.DATA_DIR;
  if (!dataDir || !existsSync(segmentsDir(dataDir))) return undefined;
  return readOnlySegments(dataDir, {
    writable: [stagingDir(dataDir), archiverDir(dataDir), join(dataDir, RESTORED_DIR), textfileDir],
    readable: [env.REDIS_DATA_DIR, env.ANCHORS_FILE].filter((p): p is string => p !== undefined),
  });
}
