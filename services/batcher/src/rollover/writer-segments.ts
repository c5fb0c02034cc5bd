/**
 * The batcher's current segment and the roll-over to the next (SPEC §8; README "Roll-over"). The
 * batcher is the sole writer, so the roll-over runs in its loop between two batches, when every
 * applied entry is acknowledged and published. Batches wait only for the first three steps (the
 * pause, milliseconds whatever the size); the rest runs in slices between batches:
 *
 *   1. cut      — old segment: `closing` and the cut record (ledger head); frozen from here (closing.ts)
 *   2. opening  — new segment file: schema and opening record only, renamed into place `open` (opening.ts)
 *   3. switch   — the writer's parts move to the new segment; batches go on there
 *   4. carry    — users and open bets carried into the new segment: on touch by batches, and in
 *                 chunks between them (carry.ts)
 *   5. record   — old segment: `closing_balances`, `carried_to`, totals, `meta.closing`; the opening
 *                 rows are checked against it (closing.ts)
 *   6. closed   — old segment `closed`, checkpointed, closed and made read-only on disk
 *
 * Start-up finishes whatever a crash interrupted, from the newest segment's state, before any entry
 * is applied: `closing` → steps 2–6; `open` with a `closing` predecessor → steps 4–6; `opening`
 * (written by a batcher before the carry-after-switch roll-over) → state `open`, then 4–6. A partial
 * file is deleted. So a kill -9 at any point leaves either the old segment current or the new one
 * current with everything the old one closed with still readable and carried at the next start —
 * never half, never a zeroed balance. A batcher started in a later period writes its current segment
 * until its pending entries are applied, and only then rolls over (in the loop), so a redelivered
 * entry meets the segment it was applied in.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  type ClosingCut,
  GENESIS_HASH,
  listPartialSegments,
  listSegments,
  META_KEYS,
  type OpeningRecord,
  openSegmentReadOnly,
  type PeriodScheme,
  readSegmentMeta,
  type SegmentFile,
  type SegmentPeriod,
  sealSegmentFiles,
  segmentPath,
  segmentsDir,
  writeMeta,
} from '@tap/domain';
import type { Logger } from '@tap/runtime';
import type Database from 'better-sqlite3';
import type { FailPointCheck } from '../fail-point.js';
import { createLedgerWriter, type LedgerWriter } from '../storage/ledger-writer.js';
import { type OpenSegment, openWriterSegment, type Synchronous } from '../storage/segment.js';
import { type Carrier, carryingLedger, createCarrier } from './carry.js';
import { cutOf, writeClosingRecord, writeCut } from './closing.js';
import { createNextSegment } from './opening.js';

export interface RolloverReport {
  from: string;
  to: string;
  /** Cut → old segment closed. */
  durationMs: number;
  /** Cut → switched: how long batches waited for the roll-over. */
  pauseMs: number;
  /** The longest slice of carrying or closing run between two batches, and its (last) step. */
  slowestSliceMs: number;
  slowestSliceStep: string | null;
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
  /** Users per carried chunk (default 100); tests use 1 to stop between chunks. */
  carryChunkUsers?: number;
  /** How long the carry may hold the loop between two batches (default 20 ms; at least one chunk). */
  sliceMs?: number;
}

export interface WriterSegments {
  current(): OpenSegment;
  /** The current segment's one ledger writer (its chain head), carrying users while a roll-over carries. */
  ledger(): LedgerWriter;
  /** While a roll-over carries: what the bet store must carry first; null otherwise. */
  carrier(): Carrier | null;
  /**
   * Between batches: carries a slice while a roll-over is in progress (resolving with its report
   * when it completes), else starts one when the clock has left the current period. `behind`: the
   * last batch waited in the stream — the slice yields to the batches then (at most YIELD_MAX_MS).
   * `beforeCut` runs just before a cut: the cut empties the old segment's outbox, so the batcher's
   * publication in flight must land first.
   */
  rollOverIfDue(options?: {
    behind?: boolean;
    beforeCut?: () => Promise<void>;
  }): Promise<RolloverReport | null>;
  close(): void;
}

/** A roll-over past its switch: the closing segment and the steps left (4–6), run in slices. */
interface Carrying {
  old: OpenSegment;
  carrier: Carrier;
  steps: Generator<string, void>;
  startedAt: number;
  pauseMs: number;
  slowestSliceMs: number;
  slowestSliceStep: string | null;
  lastSliceAt: number;
  /** Filled in when the closing record is written. */
  totals: { users: number; carriedBets: number };
}

/** The longest the carry yields to batches that are behind before it takes a slice anyway. */
const YIELD_MAX_MS = 1_000;

export async function openWriterSegments(deps: WriterSegmentsDeps): Promise<WriterSegments> {
  const { dataDir, scheme, log } = deps;
  const sliceMs = deps.sliceMs ?? 20;
  mkdirSync(segmentsDir(dataDir), { recursive: true });
  for (const partial of listPartialSegments(dataDir)) {
    rmSync(partial, { force: true });
    log.warn({ path: partial }, 'rollover.partial_removed');
  }
  let rollovers = 0;
  let carrying: Carrying | null = null;
  let current!: OpenSegment;
  let rawLedger!: LedgerWriter;
  let ledger!: LedgerWriter;
  let previous: Database.Database | null = null;
  let periodEndMs = 0;

  /** The writer moves to `segment` (step 3); the segment before it answers `hasRef` for adjustments. */
  const switchTo = (segment: OpenSegment) => {
    previous?.close();
    const files = listSegments(dataDir);
    const before = files[files.findIndex((file) => file.name === segment.name) - 1];
    previous = before ? openSegmentReadOnly(before.path) : null;
    current = segment;
    // One ledger writer per segment: the carrier's opening rows and the batches share its chain head.
    rawLedger = createLedgerWriter(segment.db, previous);
    ledger = carryingLedger(rawLedger, () => carrying?.carrier ?? null);
  };

  /** Steps 4–6 of a roll-over whose new segment is current; `count` arms the fail points. */
  const startCarrying = (old: OpenSegment, cut: ClosingCut, count: number) => {
    const carrier = createCarrier({
      ...{ from: old, to: current.db, ledger: rawLedger, atMs: cut.closingAtMs },
      chunkUsers: deps.carryChunkUsers ?? 100,
    });
    const opening = readSegmentMeta(current.db).opening;
    assert.ok(opening, `${current.path} continues ${old.name} without an opening record`);
    const totals = { users: 0, carriedBets: 0 };
    carrying = {
      ...{
        old,
        carrier,
        startedAt: performance.now(),
        pauseMs: 0,
        lastSliceAt: 0,
        slowestSliceMs: 0,
        slowestSliceStep: null,
      },
      steps: carryAndClose(deps, { old, to: current, carrier, cut, opening, totals }, count),
      totals,
    };
    return carrying;
  };

  const finish = (done: Carrying): RolloverReport => {
    carrying = null;
    const report: RolloverReport = {
      from: done.old.name,
      to: current.name,
      durationMs: Math.round(performance.now() - done.startedAt),
      pauseMs: done.pauseMs,
      slowestSliceMs: done.slowestSliceMs,
      slowestSliceStep: done.slowestSliceStep,
      users: done.totals.users,
      carriedBets: done.totals.carriedBets,
    };
    log.info(report, 'rollover.done');
    deps.onRollover?.(report);
    return report;
  };

  /** Runs the steps left to completion (start-up, or a period that ended again meanwhile). */
  const runToEnd = async (work: Carrying): Promise<RolloverReport> => {
    while (!work.steps.next().done) await yieldToEventLoop();
    return finish(work);
  };

  /** Steps 1–3: the pause. */
  const cutOver = (next: SegmentPeriod, nowMs: number) => {
    rollovers += 1;
    const startedAt = performance.now();
    const old = current;
    log.info({ from: old.name, to: next.name }, 'rollover.started');
    const cut = writeCut(old.db, next.name, nowMs);
    deps.failPoint('rollover_after_closing', rollovers);
    createNextSegment({ dataDir, from: old, cut, period: next, atMs: nowMs });
    deps.failPoint('rollover_after_opening', rollovers);
    switchTo(openWriterSegment(next.name, segmentPath(dataDir, next.name), deps.synchronous));
    const work = startCarrying(old, cut, rollovers);
    work.startedAt = startedAt;
    work.pauseMs = Math.round(performance.now() - startedAt);
    periodEndMs = next.endMs;
    log.info({ from: old.name, to: next.name, pauseMs: work.pauseMs }, 'rollover.switched');
    deps.failPoint('rollover_after_switch', rollovers);
  };

  // Start-up: the newest segment, and whatever roll-over a crash interrupted.
  const files = listSegments(dataDir);
  const newest = files.at(-1);
  if (!newest) switchTo(createFirst(deps));
  else {
    const resumed = resume(deps, files);
    switchTo(resumed.current);
    if (resumed.closing) {
      const { old, cut } = resumed.closing;
      if (resumed.current.name !== cut.next) {
        // Steps 2–3 of a roll-over cut before the crash.
        const period = scheme.ofName(cut.next);
        if (!period) throw schemeMismatch(scheme, cut.next);
        createNextSegment({ dataDir, from: old, cut, period, atMs: cut.closingAtMs });
        switchTo(openWriterSegment(period.name, segmentPath(dataDir, period.name), deps.synchronous));
      }
      log.warn({ from: old.name, to: current.name }, 'rollover.resumed');
      await runToEnd(startCarrying(old, cut, 0));
    }
  }
  periodEndMs = periodEndOf(current, scheme);

  return {
    current: () => current,
    ledger: () => ledger,
    carrier: () => carrying?.carrier ?? null,
    async rollOverIfDue(options = {}) {
      const nowMs = deps.clock();
      if (carrying) {
        // Another period ended before the carry did (test periods): finish it first.
        if (nowMs >= periodEndMs) return runToEnd(carrying);
        // Batches first: the carry is not urgent (readers and batches see uncarried users through
        // the closing segment), a bet waiting behind it is.
        const startedAt = performance.now();
        if (options.behind && startedAt - carrying.lastSliceAt < YIELD_MAX_MS) return null;
        carrying.lastSliceAt = startedAt;
        let step: IteratorResult<string, void> | undefined;
        while (!step?.done && performance.now() - startedAt < sliceMs) step = carrying.steps.next();
        const tookMs = Math.round(performance.now() - startedAt);
        if (tookMs > carrying.slowestSliceMs) {
          carrying.slowestSliceMs = tookMs;
          carrying.slowestSliceStep = step?.done ? 'closed' : (step?.value ?? null);
        }
        return step?.done ? finish(carrying) : null;
      }
      if (nowMs < periodEndMs) return null;
      const next = scheme.of(nowMs);
      if (next.name <= current.name) return null;
      await options.beforeCut?.();
      cutOver(next, nowMs);
      return null;
    },
    close() {
      previous?.close();
      carrying?.old.close();
      current.close();
    },
  };
}

/** Carried chunks between two passive checkpoints of the new segment. */
const CHECKPOINT_EVERY_CHUNKS = 10;

interface CarryInput {
  old: OpenSegment;
  to: OpenSegment;
  carrier: Carrier;
  cut: ClosingCut;
  opening: OpeningRecord;
  totals: { users: number; carriedBets: number };
}

/** Steps 4–6 as a generator: each `yield` (naming the step just run) is a point where a batch may run. */
function* carryAndClose(deps: WriterSegmentsDeps, input: CarryInput, count: number): Generator<string, void> {
  const { old, to, carrier, cut } = input;
  for (let chunk = 0; carrier.carryChunk(); chunk += 1) {
    if (chunk === 0) deps.failPoint('rollover_during_carry', count);
    yield 'carry';
    // The carry writes as much as a busy hour of bets: folded in as it goes, so the loop's own
    // checkpoint never meets a WAL of tens of MB.
    if (chunk % CHECKPOINT_EVERY_CHUNKS !== CHECKPOINT_EVERY_CHUNKS - 1) continue;
    to.checkpointPassive();
    yield 'checkpoint_new';
  }
  // One synced commit: the carry's own commits skipped their fsync (carry.ts), and nothing may
  // close the old segment before all of them are on disk.
  writeMeta(to.db, { [META_KEYS.state]: 'open' });
  const hasBet = to.db.prepare('SELECT 1 FROM bets WHERE id = ?').pluck();
  const { record, positiveUsers } = yield* writeClosingRecord({
    ...{ db: old.db, cut },
    carried: carrier.carried,
    carriedBet: (betId) => hasBet.get(betId) !== undefined,
  });
  // The opening must equal the closing, whatever happened in between (a broken rule crashes).
  const opened = to.db
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total FROM transaction_ledger
       WHERE ref_type = 'opening' AND ref_id = ?`,
    )
    .get(old.name) as { n: number; total: number };
  assert.equal(opened.n, positiveUsers, 'one opening row per positive closing balance');
  assert.equal(opened.total, record.balanceSumMicros, 'the opening rows sum to the closing balances');
  const opening: OpeningRecord = {
    ...input.opening,
    users: record.users,
    balanceSumMicros: record.balanceSumMicros,
    carriedBets: record.carriedBets,
  };
  writeMeta(to.db, { [META_KEYS.opening]: JSON.stringify(opening) });
  Object.assign(input.totals, { users: record.users, carriedBets: record.carriedBets });
  deps.failPoint('rollover_after_carry', count);
  closeOld(old);
}

/** The newest segment, opened for writing, and a roll-over to finish (its closing segment and cut). */
function resume(
  deps: WriterSegmentsDeps,
  files: SegmentFile[],
): { current: OpenSegment; closing: { old: OpenSegment; cut: ClosingCut } | null } {
  const newest = files.at(-1)!;
  const segment = openWriterSegment(newest.name, newest.path, deps.synchronous);
  const meta = readSegmentMeta(segment.db);
  if (meta.state === 'closing') {
    const cut = cutOf(segment.db);
    assert.ok(cut, `${newest.path} is closing without a cut record`);
    return { current: segment, closing: { old: segment, cut } };
  }
  if (meta.state === 'opening') writeMeta(segment.db, { [META_KEYS.state]: 'open' });
  else if (meta.state !== 'open') {
    segment.close();
    throw new Error(`the newest segment ${newest.path} is ${meta.state}: no segment is open to write`);
  }
  adoptLegacy(deps.scheme, segment);
  const before = files.at(-2);
  if (!before || meta.rolloverFrom !== before.name) return { current: segment, closing: null };
  const old = openWriterSegment(before.name, before.path, deps.synchronous);
  const oldMeta = readSegmentMeta(old.db);
  if (oldMeta.state !== 'closing') {
    old.close();
    return { current: segment, closing: null };
  }
  const cut = cutOf(old.db);
  assert.ok(cut, `${before.path} is closing without a cut record`);
  return { current: segment, closing: { old, cut } };
}

/**
 * Step 6: `closed` in meta, the WAL folded in, the files read-only on disk and readable by readers
 * that cannot write the segments directory (sealSegmentFiles). Never written again: the bytes the
 * archiver uploads stay the local bytes, which is what lets the batcher delete it later.
 */
function closeOld(old: OpenSegment): void {
  writeMeta(old.db, { [META_KEYS.state]: 'closed', [META_KEYS.closedAtMs]: Date.now() });
  old.close();
  sealSegmentFiles(old.path);
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

function schemeMismatch(scheme: PeriodScheme, name: string): Error {
  return new Error(
    `segment ${name} is not a period of SEGMENT_PERIOD=${scheme.setting}: a data directory keeps one period setting`,
  );
}
