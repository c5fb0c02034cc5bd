/** Test helper: one archiver run against a fresh textfile dir, with its exit code, log and textfiles. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '@tap/testkit';

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
  const job = startDaemon(
    'archiver',
    { S3_RETRY_ATTEMPTS: '2', S3_RETRY_BASE_MS: '20', ...env, TEXTFILE_DIR: textfileDir },
    [mode],
  );
  const { code } = await job.exited;
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
