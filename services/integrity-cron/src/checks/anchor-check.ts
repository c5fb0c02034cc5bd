/**
 * Anchored heads (issue 18): the batcher appends its committed ledger head `{segment, rows, hash, at}`
 * every minute to an append-only file outside the segments (services/batcher anchors.ts). The hash
 * chain alone cannot tell a consistently rewritten history from the real one — the rewriter
 * recomputes every hash; the anchors can: every anchored head must still be in its segment's
 * chain, the row `rows` with exactly that hash. A segment that is no longer local (archived) is
 * skipped and counted; a missing anchors file is a problem (the batcher writes one from its first
 * ledger row), except when no segment has any ledger row yet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isSegmentName, segmentPath } from '@tap/domain';
import Database from 'better-sqlite3';

export interface AnchorReport {
  anchors: number;
  checked: number;
  skippedNotLocal: number;
  problems: string[];
}

interface Anchor {
  segment: string;
  rows: number;
  hash: string;
  at: number;
}

export function checkAnchors(dataDir: string, anchorsPath: string, ledgerRowsTotal: number): AnchorReport {
  const report: AnchorReport = { anchors: 0, checked: 0, skippedNotLocal: 0, problems: [] };
  if (!existsSync(anchorsPath)) {
    if (ledgerRowsTotal > 0) report.problems.push(`anchors file ${anchorsPath} is missing`);
    return report;
  }
  const anchors = parseAnchors(readFileSync(anchorsPath, 'utf8'), report.problems);
  report.anchors = anchors.length;
  const bySegment = new Map<string, Anchor[]>();
  for (const anchor of anchors)
    bySegment.set(anchor.segment, [...(bySegment.get(anchor.segment) ?? []), anchor]);
  for (const [segment, list] of bySegment) {
    const path = segmentPath(dataDir, segment);
    if (!existsSync(path)) {
      report.skippedNotLocal += list.length;
      continue;
    }
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const hashAt = db.prepare<[number], string>('SELECT hash FROM transaction_ledger WHERE id = ?').pluck();
      for (const anchor of list) {
        report.checked += 1;
        const hash = hashAt.get(anchor.rows);
        if (hash === undefined) {
          report.problems.push(
            `${segment}: anchored row ${anchor.rows} (${new Date(anchor.at).toISOString()}) is gone`,
          );
        } else if (hash !== anchor.hash) {
          report.problems.push(
            `${segment}: ledger row ${anchor.rows} hash ${hash} != anchored ${anchor.hash} (anchored ${new Date(anchor.at).toISOString()}): the history was rewritten`,
          );
        }
      }
    } finally {
      db.close();
    }
  }
  return report;
}

function parseAnchors(text: string, problems: string[]): Anchor[] {
  const anchors: Anchor[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: Partial<Anchor> | undefined;
    try {
      value = JSON.parse(line) as Partial<Anchor>;
    } catch {
      value = undefined; // reported below
    }
    const ok =
      value !== undefined &&
      typeof value.segment === 'string' &&
      isSegmentName(value.segment) &&
      Number.isSafeInteger(value.rows) &&
      typeof value.hash === 'string' &&
      Number.isSafeInteger(value.at);
    if (ok) anchors.push(value as Anchor);
    else problems.push(`anchors line ${index + 1} is not an anchor: ${line.slice(0, 200)}`);
  });
  return anchors;
}
