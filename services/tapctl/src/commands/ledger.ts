/**
 * `ledger [address]`: ledger rows for disputes (SPEC §7) — a wallet's, oldest first (narrowed by
 * --ref and --from/--to), or every wallet's by `(ref_type, ref_id)` or by time range. Reads the
 * current and the last 4 closed segments of the view (or `--segment`); ledger ids continue across
 * segments, so their rows form one sequence. Every mode is keyset-paged: a full page prints the
 * cursor of the next (`--after`), so a week of rows is read a page at a time, never at once. A
 * `--from` reaching a week archived in S3 reads its restored copy (storage/history.ts).
 */
import { type LedgerRowIn, ledgerBetween, ledgerByRef } from '@tap/domain';
import {
  cursorText,
  type LedgerFilter,
  type LedgerOptions,
  parseLedgerFilter,
} from '../input/ledger-filter.js';
import { formatMicros } from '../input/usd.js';
import { emit } from '../output.js';
import { restoredFor } from '../storage/history.js';
import { openSegments, type ReadSegment } from '../storage/segments.js';
import type { CommandContext } from './context.js';

interface Row {
  id: number;
  userId: string;
  segment: string;
  createdAt: number;
  refType: string;
  refId: string;
  amountMicros: number;
  balanceAfterMicros: number;
  hash: string;
}

/** A wallet's rows (through its ledger chain, segment migration 3), filtered, oldest first. */
export function userLedgerQuery(filter: Extract<LedgerFilter, { mode: 'user' }>) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.fromMs !== undefined) add('created_at >= ?', filter.fromMs);
  if (filter.toMs !== undefined) add('created_at <= ?', filter.toMs);
  if (filter.ref) add('ref_type = ? AND ref_id = ?', filter.ref.refType, filter.ref.refId);
  if (filter.afterId !== undefined) add('id > ?', filter.afterId);
  const sql = `WITH RECURSIVE chain(id) AS (
      SELECT last_ledger_id FROM users WHERE id = ?
      UNION ALL
      SELECT l.prev_user_ledger_id FROM transaction_ledger l JOIN chain ON l.id = chain.id
      WHERE l.prev_user_ledger_id IS NOT NULL)
    SELECT * FROM transaction_ledger WHERE id IN (SELECT id FROM chain)
      ${where.map((w) => `AND ${w}`).join(' ')} ORDER BY id LIMIT ?`;
  return { sql, params: [filter.userId, ...params, filter.limit + 1] };
}

function userPage(segments: readonly ReadSegment[], filter: Extract<LedgerFilter, { mode: 'user' }>) {
  const query = userLedgerQuery(filter);
  const rows: LedgerRowIn[] = [];
  // Oldest segment first: ids grow across segments, so the first limit + 1 rows are the page's.
  for (const { name, db } of [...segments].reverse()) {
    if (rows.length > filter.limit) break;
    for (const row of db.prepare(query.sql).all(...query.params) as LedgerRowIn[]) {
      rows.push({ ...row, segment: name });
    }
  }
  const page = rows.slice(0, filter.limit);
  return { rows: page, next: rows.length > filter.limit ? page.at(-1)!.id : null };
}

function readPage(segments: readonly ReadSegment[], filter: LedgerFilter) {
  if (filter.mode === 'user') return userPage(segments, filter);
  if (filter.mode === 'ref') return ledgerByRef(segments, { ...filter, after: filter.afterId });
  return ledgerBetween(segments, filter);
}

/** How long --wait waits for a restore job. */
const WAIT_MS = 600_000;

export async function ledger(
  ctx: CommandContext,
  address: string | undefined,
  options: LedgerOptions,
): Promise<void> {
  const filter = parseLedgerFilter(address, options, Date.now());
  // A --from reaching a week archived in S3 reads its restored copy (asked for, and with --wait waited for).
  const fromMs = filter.mode === 'ref' ? undefined : filter.fromMs;
  const toMs = (filter.mode === 'ref' ? undefined : filter.toMs) ?? Date.now();
  const restored =
    fromMs === undefined || options.segment !== undefined
      ? []
      : await restoredFor(ctx, { fromMs, toMs }, { wait: options.wait === true, waitMs: WAIT_MS });
  const opened = openSegments(ctx.config.DATA_DIR, options.segment, restored);
  const segments = opened.segments.map((segment) => segment.name).reverse();
  let page: ReturnType<typeof readPage>;
  try {
    page = readPage(opened.segments, filter);
  } finally {
    opened.close();
  }
  const rows: Row[] = page.rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    segment: r.segment,
    createdAt: r.created_at,
    refType: r.ref_type,
    refId: r.ref_id,
    amountMicros: r.amount,
    balanceAfterMicros: r.balance_after,
    hash: r.hash,
  }));
  const next = cursorText(page.next);
  const scope = filter.mode === 'user' ? { userId: filter.userId } : {};
  emit(ctx.out, { mode: filter.mode, ...scope, segments, rows, next }, () => [
    `${'id'.padStart(8)}  ${'time'.padEnd(24)}  ${'user'.padEnd(42)}  ${'amount USD'.padStart(18)}  ${'balance USD'.padStart(18)}  ref`,
    ...rows.map(
      (r) =>
        `${String(r.id).padStart(8)}  ${new Date(r.createdAt).toISOString().padEnd(24)}  ${r.userId.padEnd(42)}  ` +
        `${formatMicros(r.amountMicros).padStart(18)}  ${formatMicros(r.balanceAfterMicros).padStart(18)}  ` +
        `${r.refType}:${r.refId}`,
    ),
    `${rows.length} row(s) in segments ${segments.join(', ')}${next === null ? '' : `; next page: --after ${next}`}`,
  ]);
}
