/**
 * The batcher's current segment and the roll-over to the next (SPEC §8; README "Roll-over"). The
 * batcher is the sole writer, so the roll-over runs in its loop between two batches, when every
 * applied entry is acknowledged and published:
 *
 *   1. closing  — old segment: closing record, `closing_balances`, open bets `carried_to` (closing.ts)
 *   2. opening  — new segment built as `.partial`, renamed into place in state `opening` (opening.ts)
 *   3. switch   — new segment `open`; the writer's parts move to it
 *   4. closed   — old segment `closed`, checkpointed, closed and made read-only on disk
 *
 * Start-up finishes whatever a crash interrupted, from the newest segment's state: `closing` →
 * steps 2–4, `opening` (the marker, `rollover_from`) → steps 3–4, `open` with a `closing`
 * predecessor → step 4. A partial file is deleted. So a kill -9 at any point leaves either the old
 * segment current or a completed roll-over — never half, never a zeroed balance. A batcher started
 * in a later period writes its current segment until its pending entries are applied, and only
 * then rolls over (in the loop), so a redelivered entry meets the segment it was applied in.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import {
  type ClosingRecord,
  GENESIS_HASH,
  listPartialSegments,
  listSegments,
  META_KEYS,
  type OpeningRecord,
  openSegmentReadOnly,
  type PeriodScheme,
  readSegmentMeta,
  readSegmentState,
  type SegmentFile,
  type SegmentPeriod,
  segmentPath,
  segmentsDir,
  writeMeta,
} from '@tap/domain';
import type { Logger } from '@tap/runtime';
import type Database from 'better-sqlite3';
import type { FailPointCheck } from '../fail-point.js';
import { type OpenSegment, openWriterSegment, type Synchronous } from '../storage/segment.js';
import { writeClosing } from './closing.js';
import { buildNextSegment } from './opening.js';

export interface RolloverReport {
  from: string;
  to: string;
  durationMs: number;
  users: number;
  carriedBets: number;
}

export interface WriterSegmentsDeps {
  dataDir: string;
  scheme: PeriodScheme;
  synchronous: Synchronous;
  /** The roll-over's clock (ms); tests shift it to cross a week boundary. */
  clock(): number;
  failPoint: FailPointCheck;
  log: Logger;
  onRollover?(report: RolloverReport): void;
}

export interface WriterSegments {
  current(): OpenSegment;
  /** The segment before the current one, read-only (adjustment ids applied there), or null. */
  previous(): Database.Database | null;
  /** End of the current segment's period (ms): the roll-over is due from then on. */
  periodEndMs(): number;
  /** Rolls over when the clock has left the current period; resolves once done. */
  rollOverIfDue(): Promise<RolloverReport | null>;
  close(): void;
}

export async function openWriterSegments(deps: WriterSegmentsDeps): Promise<WriterSegments> {
  const { dataDir, scheme, log } = deps;
  mkdirSync(segmentsDir(dataDir), { recursive: true });
  for (const partial of listPartialSegments(dataDir)) {
    rmSync(partial, { force: true });
    log.warn({ path: partial }, 'rollover.partial_removed');
  }
  let current = await resume(deps, listSegments(dataDir));
  let periodEndMs = periodEndOf(current, scheme);
  let rollovers = 0;
  let previous: Database.Database | null | undefined;
  const closePrevious = () => {
    previous?.close();
    previous = undefined;
  };
  return {
    current: () => current,
    previous() {
      if (previous === undefined) {
        const files = listSegments(dataDir);
        const before = files[files.findIndex((file) => file.name === current.name) - 1];
        previous = before ? openSegmentReadOnly(before.path) : null;
      }
      return previous;
    },
    periodEndMs: () => periodEndMs,
    async rollOverIfDue() {
      const nowMs = deps.clock();
      if (nowMs < periodEndMs) return null;
      const next = scheme.of(nowMs);
      if (next.name <= current.name) return null;
      rollovers += 1;
      const startedAt = performance.now();
      const from = current.name;
      log.info({ from, to: next.name }, 'rollover.started');
      const closing = writeClosing(current.db, next.name, nowMs);
      deps.failPoint('rollover_after_closing', rollovers);
      current = await completeRollover(deps, current, closing, next, nowMs, rollovers);
      periodEndMs = next.endMs;
      closePrevious();
      const report = {
        from,
        to: next.name,
        durationMs: Math.round(performance.now() - startedAt),
        users: closing.users,
        carriedBets: closing.carriedBets,
      };
      log.info(report, 'rollover.done');
      deps.onRollover?.(report);
      return report;
    },
    close() {
      closePrevious();
      current.close();
    },
  };
}

async function resume(deps: WriterSegmentsDeps, files: SegmentFile[]): Promise<OpenSegment> {
  const newest = files.at(-1);
  if (!newest) return createFirst(deps);
  const segment = openWriterSegment(newest.name, newest.path, deps.synchronous);
  const meta = readSegmentMeta(segment.db);
  const resumed = { segment: newest.name, state: meta.state };
  if (meta.state === 'closing') {
    assert.ok(meta.closing, `${newest.path} is closing without a closing record`);
    const period = deps.scheme.ofName(meta.closing.next);
    if (!period) throw schemeMismatch(deps.scheme, meta.closing.next);
    deps.log.warn({ ...resumed, next: period.name }, 'rollover.resumed');
    return completeRollover(deps, segment, meta.closing, period, meta.closing.closingAtMs, 0);
  }
  if (meta.state === 'opening') {
    const old = files.find((file) => file.name === meta.rolloverFrom);
    assert.ok(old, `${newest.path} continues ${meta.rolloverFrom}, which is missing`);
    deps.log.warn({ ...resumed, from: old.name }, 'rollover.resumed');
    switchTo(segment);
    closeOld(openWriterSegment(old.name, old.path, deps.synchronous));
    return segment;
  }
  if (meta.state !== 'open') {
    segment.close();
    throw new Error(`the newest segment ${newest.path} is ${meta.state}: no segment is open to write`);
  }
  adoptLegacy(deps.scheme, segment);
  const previous = files.at(-2);
  if (previous && stateOf(previous.path) === 'closing') {
    deps.log.warn({ ...resumed, from: previous.name }, 'rollover.resumed');
    closeOld(openWriterSegment(previous.name, previous.path, deps.synchronous));
  }
  return segment;
}

async function completeRollover(
  deps: WriterSegmentsDeps,
  old: OpenSegment,
  closing: ClosingRecord,
  period: SegmentPeriod,
  atMs: number,
  count: number,
): Promise<OpenSegment> {
  await buildNextSegment({
    dataDir: deps.dataDir,
    from: old,
    closing,
    period,
    atMs,
    afterFirstChunk: () => deps.failPoint('rollover_during_opening', count),
  });
  deps.failPoint('rollover_after_opening', count);
  const next = openWriterSegment(period.name, segmentPath(deps.dataDir, period.name), deps.synchronous);
  switchTo(next);
  deps.failPoint('rollover_after_switch', count);
  closeOld(old);
  return next;
}

function switchTo(segment: OpenSegment): void {
  writeMeta(segment.db, { [META_KEYS.state]: 'open' });
}

/** Step 4: `closed` in meta, the WAL folded in, the file read-only on disk. */
function closeOld(old: OpenSegment): void {
  writeMeta(old.db, { [META_KEYS.state]: 'closed', [META_KEYS.closedAtMs]: Date.now() });
  old.close();
  chmodSync(old.path, 0o444);
}

function createFirst(deps: WriterSegmentsDeps): OpenSegment {
  const period = deps.scheme.of(deps.clock());
  const segment = openWriterSegment(period.name, segmentPath(deps.dataDir, period.name), deps.synchronous);
  const opening: OpeningRecord = {
    from: null,
    prevLedgerHead: { id: 0, hash: GENESIS_HASH },
    users: 0,
    balanceSumMicros: 0,
    carriedBets: 0,
  };
  segment.db.transaction(() =>
    writeIdentity(segment.db, period, { [META_KEYS.opening]: JSON.stringify(opening) }),
  )();
  return segment;
}

/** A segment written before roll-overs existed gets its identity; one of another scheme is refused. */
function adoptLegacy(scheme: PeriodScheme, segment: OpenSegment): void {
  const period = scheme.ofName(segment.name);
  if (!period) {
    segment.close();
    throw schemeMismatch(scheme, segment.name);
  }
  const meta = segment.db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  if (meta.get(META_KEYS.segment) === undefined) {
    const openedAt = (meta.get('opened_at') as string | undefined) ?? String(Date.now());
    segment.db.transaction(() => writeIdentity(segment.db, period, { [META_KEYS.openedAtMs]: openedAt }))();
  }
}

function writeIdentity(db: Database.Database, period: SegmentPeriod, extra: Record<string, string>): void {
  writeMeta(db, {
    [META_KEYS.state]: 'open',
    [META_KEYS.segment]: period.name,
    [META_KEYS.periodStartMs]: period.startMs,
    [META_KEYS.periodEndMs]: period.endMs,
    [META_KEYS.openedAtMs]: Date.now(),
    ...extra,
  });
}

function periodEndOf(segment: OpenSegment, scheme: PeriodScheme): number {
  const end = readSegmentMeta(segment.db).periodEndMs ?? scheme.ofName(segment.name)?.endMs;
  assert.ok(end !== undefined, `${segment.path} has no period`);
  return end;
}

function stateOf(path: string) {
  const db = openSegmentReadOnly(path);
  try {
    return readSegmentState(db);
  } finally {
    db.close();
  }
}

function schemeMismatch(scheme: PeriodScheme, name: string): Error {
  return new Error(
    `segment ${name} is not a period of SEGMENT_PERIOD=${scheme.setting}: a data directory keeps one period setting`,
  );
}
