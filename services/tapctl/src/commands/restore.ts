/**
 * `restore --from-s3 [--at <time>] [--segments <n>]`: rebuilds the data directory (`--data-dir`)
 * from the archive bucket — the archived segments and the newest backup at or before `--at`
 * (default now) — verifying every hash and every segment's proof (@tap/archive restoreDataDir), and
 * prints what it restored. Refuses a data directory that already holds segments. The batcher then
 * starts on it normally; Redis' files are left in `restored-redis/<stamp>/` for the operator.
 */
import { createS3, IntegrityError, type RestoredSegment, RestoreRefused, restoreDataDir } from '@tap/archive';
import { failure, usageError } from '../cli-error.js';
import { loadS3Config } from '../config.js';
import { parseTimeMs } from '../input/time.js';
import { emit } from '../output.js';
import type { CommandContext } from './context.js';

export interface RestoreOptions {
  fromS3?: boolean;
  at?: string;
  segments?: string;
}

export async function restore(
  ctx: CommandContext,
  options: RestoreOptions,
  env: Record<string, string | undefined>,
) {
  if (!options.fromS3) throw usageError('restore needs --from-s3 (the only source there is)');
  const atMs = options.at === undefined ? Date.now() : parseTimeMs(options.at);
  if (atMs === undefined) throw usageError(`--at "${options.at}" is not an ISO date-time or epoch ms`);
  const segmentsMax = options.segments === undefined ? 5 : Number(options.segments);
  if (!Number.isInteger(segmentsMax) || segmentsMax < 1 || segmentsMax > 520) {
    throw usageError(`--segments "${options.segments}" must be a whole number from 1 to 520`);
  }
  const s3Config = loadS3Config(env);
  if (!s3Config.ok) throw usageError(`invalid configuration:\n  ${s3Config.problems.join('\n  ')}`);
  const s3 = createS3(s3Config.config);
  const progress = (s: RestoredSegment) => {
    if (!ctx.out.json) ctx.out.write(line(s));
  };
  try {
    const report = await restoreDataDir(
      {
        s3,
        bucket: s3Config.config.S3_BUCKET,
        retry: {
          attempts: s3Config.config.S3_RETRY_ATTEMPTS,
          baseDelayMs: s3Config.config.S3_RETRY_BASE_MS,
          maxDelayMs: 15_000,
        },
      },
      { dataDir: ctx.config.DATA_DIR, atMs, segmentsMax, onSegment: progress },
    );
    emit(ctx.out, report, () => [
      `restored ${report.segments.length} segment(s) as of ${new Date(atMs).toISOString()} into ${ctx.config.DATA_DIR}/segments`,
      report.redis
        ? `Redis files of ${new Date(report.redis.atMs).toISOString()} in ${report.redis.dir} (${report.redis.files.join(', ')}): stop Redis, copy them into its dir, start it`
        : 'no Redis backup at or before that time',
    ]);
  } catch (err) {
    if (err instanceof RestoreRefused || err instanceof IntegrityError)
      throw failure(`${err.code}: ${err.message}`);
    throw err;
  } finally {
    s3.destroy();
  }
}

function line(s: RestoredSegment): string {
  const when = new Date(s.atMs).toISOString();
  return `${s.segment}  from ${s.from} ${s.key} (${when})  users ${s.users}  bets ${s.bets}  ledger rows ${s.ledgerRows}  head ${s.ledgerHead.id}:${s.ledgerHead.hash.slice(0, 16)}…  verified`;
}
