/**
 * One integrity run: every check in order, each recorded as a CheckResult (report/report.ts) —
 * a check that throws is `not_run` with the reason, never skipped silently. Checks only read:
 * segments through read-only connections, Redis with reads (SCAN, MGET, XRANGE, XPENDING).
 */
import type { Channels } from '@tap/channels';
import { anchorsPath, listSegments, openSegmentView, type SegmentFile } from '@tap/domain';
import { abortable, type Logger, type Redis } from '@tap/runtime';
import { checkAnchors } from './checks/anchor-check.js';
import { checkArchiveAnchors } from './checks/archive-anchor-check.js';
import { checkBetsLedger } from './checks/bets-ledger-check.js';
import { checkCache } from './checks/cache-check.js';
import { checkLinks, checkSegment } from './checks/segment-check.js';
import type { Config } from './config.js';
import { type CheckResult, runCheck } from './report/report.js';

export interface RunDeps {
  config: Config;
  redis: Redis;
  channels: Channels;
  log: Logger;
  signal: AbortSignal;
}

export async function runChecks(deps: RunDeps): Promise<CheckResult[]> {
  const { config, log, signal } = deps;
  const results: CheckResult[] = [];
  const record = (result: CheckResult) => {
    results.push(result);
    const level = result.status === 'ok' ? 'info' : 'error';
    log[level]({ ...result, problems: result.problems.slice(0, 20) }, 'check.done');
  };
  let files: SegmentFile[] = [];
  record(
    await runCheck('segments_present', () => {
      // Throws data_dir_missing / data_dir_unreadable naming the path: not_run.
      files = listSegments(config.DATA_DIR);
      const problems = files.length === 0 ? [`no segments under ${config.DATA_DIR}: nothing to verify`] : [];
      return { problems, facts: { segments: files.length } };
    }),
  );
  let ledgerRowsTotal = 0;
  for (const file of files) {
    signal.throwIfAborted();
    const result = await runCheck(
      'segment',
      () => {
        const report = checkSegment(file.path);
        ledgerRowsTotal += report.ledgerRows;
        return { problems: report.problems, facts: { ledgerRows: report.ledgerRows } };
      },
      file.name,
    );
    record(result);
  }
  if (files.length === 0) return results;
  record(
    await runCheck('segment_links', () => ({
      problems: checkLinks(files),
      facts: { links: files.length - 1 },
    })),
  );
  record(
    await runCheck('anchors', () => {
      const path = config.ANCHORS_FILE ?? anchorsPath(config.DATA_DIR);
      const { problems, ...facts } = checkAnchors(config.DATA_DIR, path, ledgerRowsTotal);
      return { problems, facts };
    }),
  );
  if (config.ARCHIVE_ANCHORS_CHECK) {
    record(
      await runCheck('archive_anchors', async () => {
        const { problems, ...facts } = await checkArchiveAnchors(config, config.DATA_DIR, signal);
        return { problems, facts };
      }),
    );
  } else {
    log.warn({}, 'archive_anchors.disabled');
  }
  signal.throwIfAborted();
  record(
    await runCheck('bets_ledger', () => {
      const { problems, ...facts } = checkBetsLedger(files);
      return { problems, facts };
    }),
  );
  record(await runCheck('redis_cache', () => cacheCheck(deps)));
  return results;
}

async function cacheCheck({ config, redis, channels, signal }: RunDeps) {
  await abortable(redis.ping(), signal);
  const view = openSegmentView(config.DATA_DIR);
  try {
    const current = view.segments()[0];
    if (!current) throw new Error(`no current segment under ${config.DATA_DIR}`);
    const { problems, ...facts } = await checkCache({
      redis,
      channels,
      db: current.db,
      settleMs: config.CACHE_SETTLE_MS,
      roundsMax: config.CACHE_ROUNDS_MAX,
      stableRounds: config.CACHE_STABLE_ROUNDS,
      signal,
    });
    return { problems, facts: { ...facts, segment: current.name } };
  } finally {
    view.close();
  }
}
