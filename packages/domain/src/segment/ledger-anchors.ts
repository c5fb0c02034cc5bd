/**
 * Ledger anchors (issue 18): the ledger's hash chain proves no row was edited in place, but not that
 * the whole chain was not rewritten consistently — its head lives in the file it protects. So the
 * batcher appends its committed head `{segment, rows, hash, at}` every minute to an append-only
 * JSON-lines file outside the segments (`DATA_DIR/ledger-anchors.jsonl`), and the archiver copies
 * the newest of each segment into the S3 manifest every hour, out of the batcher's reach. Every
 * anchored head must still be in its segment's chain: ledger row `rows` with exactly that hash.
 *
 * The batcher writes them, integrity-cron checks the file and the manifest's copy, the archiver
 * uploads them and restore checks them: the shape, the parser and the check live here once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { isSegmentName } from './period.js';
import { segmentPath } from './segment-files.js';
import { openSegmentReadOnly } from './segment-view.js';

export interface LedgerAnchor {
  segment: string;
  /** The head's ledger row id (ids continue across segments). */
  rows: number;
  hash: string;
  /** When it was anchored, ms. */
  at: number;
}

export const ANCHORS_FILE_NAME = 'ledger-anchors.jsonl';
export const anchorsPath = (dataDir: string) => join(dataDir, ANCHORS_FILE_NAME);

export function isLedgerAnchor(value: unknown): value is LedgerAnchor {
  const a = value as Partial<LedgerAnchor> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.segment === 'string' &&
    isSegmentName(a.segment) &&
    Number.isSafeInteger(a.rows) &&
    typeof a.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(a.hash) &&
    Number.isSafeInteger(a.at)
  );
}

/** The anchors of a JSON-lines text; a line that is not one is named in `problems`. */
export function parseAnchors(text: string): { anchors: LedgerAnchor[]; problems: string[] } {
  const anchors: LedgerAnchor[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined; // reported below
    }
    if (isLedgerAnchor(value)) anchors.push(value);
    else problems.push(`anchors line ${index + 1} is not an anchor: ${line.slice(0, 200)}`);
  });
  return { anchors, problems };
}

/** The anchors file, or undefined when there is none. */
export function readAnchorsFile(path: string): { anchors: LedgerAnchor[]; problems: string[] } | undefined {
  return existsSync(path) ? parseAnchors(readFileSync(path, 'utf8')) : undefined;
}

/** Anchors of one segment that its chain no longer holds (`headId`: only rows up to it are judged). */
export function anchorMismatches(
  db: Database.Database,
  segment: string,
  anchors: readonly LedgerAnchor[],
  headId = Number.POSITIVE_INFINITY,
): { checked: number; problems: string[] } {
  const hashAt = db.prepare('SELECT hash FROM transaction_ledger WHERE id = ?').pluck();
  const problems: string[] = [];
  let checked = 0;
  for (const anchor of anchors) {
    if (anchor.segment !== segment || anchor.rows > headId) continue;
    checked += 1;
    const hash = hashAt.get(anchor.rows) as string | undefined;
    const when = new Date(anchor.at).toISOString();
    if (hash === undefined) problems.push(`${segment}: anchored row ${anchor.rows} (${when}) is gone`);
    else if (hash !== anchor.hash) {
      problems.push(
        `${segment}: ledger row ${anchor.rows} hash ${hash} != anchored ${anchor.hash} (anchored ${when}): the history was rewritten`,
      );
    }
  }
  return { checked, problems };
}

export interface AnchorCheck {
  anchors: number;
  checked: number;
  /** Anchors of segments no longer local (archived and deleted): not judged here. */
  skippedNotLocal: number;
  problems: string[];
}

/** Every anchor against its local segment, through read-only connections. */
export function checkAnchorsAgainst(dataDir: string, anchors: readonly LedgerAnchor[]): AnchorCheck {
  const report: AnchorCheck = { anchors: anchors.length, checked: 0, skippedNotLocal: 0, problems: [] };
  const segments = new Set(anchors.map((a) => a.segment));
  for (const segment of segments) {
    const path = segmentPath(dataDir, segment);
    if (!existsSync(path)) {
      report.skippedNotLocal += anchors.filter((a) => a.segment === segment).length;
      continue;
    }
    const db = openSegmentReadOnly(path);
    try {
      const result = anchorMismatches(db, segment, anchors);
      report.checked += result.checked;
      report.problems.push(...result.problems);
    } finally {
      db.close();
    }
  }
  return report;
}
