/**
 * `ledger <address>`: a user's ledger rows, oldest first, filtered by time range and by
 * `(ref_type, ref_id)` — how disputes are answered (SPEC §7). Bounded by --limit. Reads the current
 * and the last 4 closed segments (or `--segment`), and with a `--from` reaching an archived week its
 * restored copy (storage/history.ts); ledger ids continue across segments, so the rows of all of
 * them are one sequence.
 */
import { LEDGER_REF_TYPES, type LedgerRefType } from '@tap/domain';
import { usageError } from '../cli-error.js';
import { parseAddress } from '../input/address.js';
import { parseTimeMs } from '../input/time.js';
import { formatMicros } from '../input/usd.js';
import { emit } from '../output.js';
import { restoredFor } from '../storage/history.js';
import { openSegments } from '../storage/segments.js';
import type { CommandContext } from './context.js';

export interface LedgerOptions {
  from?: string;
  to?: string;
  ref?: string;
  limit?: string;
  segment?: string;
  /** Wait for a restore of an archived week the range reaches (see storage/history.ts). */
  wait?: boolean;
}

interface Row {
  id: number;
  createdAt: number;
  refType: string;
  refId: string;
  amountMicros: number;
  balanceAfterMicros: number;
  hash: string;
}

const LIMIT_MAX = 10_000;
/** How long --wait waits for a restore job. */
const WAIT_MS = 600_000;

export function ledgerQuery(
  userId: string,
  options: LedgerOptions,
): { sql: string; params: unknown[]; limit: number } {
  const where = ['user_id = ?'];
  const params: unknown[] = [userId];
  for (const [flag, op] of [
    ['from', '>='],
    ['to', '<='],
  ] as const) {
    const text = options[flag];
    if (text === undefined) continue;
    const ms = parseTimeMs(text);
    if (ms === undefined) throw usageError(`--${flag} "${text}" is not an ISO date or epoch milliseconds`);
    where.push(`created_at ${op} ?`);
    params.push(ms);
  }
  if (options.ref !== undefined) {
    const [refType, ...rest] = options.ref.split(':');
    const refId = rest.join(':');
    if (!LEDGER_REF_TYPES.includes(refType as LedgerRefType) || refId === '') {
      throw usageError(`--ref must be <type>:<id> with type one of ${LEDGER_REF_TYPES.join(', ')}`);
    }
    where.push('ref_type = ? AND ref_id = ?');
    params.push(refType, refId);
  }
  const limit = Number(options.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMIT_MAX)
    throw usageError(`--limit must be 1 to ${LIMIT_MAX}`);
  // The user's rows are found through the user's ledger chain (segment migration 3), not a scan.
  const sql = `WITH RECURSIVE chain(id) AS (
      SELECT last_ledger_id FROM users WHERE id = ?
      UNION ALL
      SELECT l.prev_user_ledger_id FROM transaction_ledger l JOIN chain ON l.id = chain.id
      WHERE l.prev_user_ledger_id IS NOT NULL)
    SELECT id, created_at AS createdAt, ref_type AS refType, ref_id AS refId, amount AS amountMicros,
      balance_after AS balanceAfterMicros, hash
    FROM transaction_ledger WHERE id IN (SELECT id FROM chain) AND ${where.join(' AND ')} ORDER BY id LIMIT ${limit}`;
  return { sql, params: [userId, ...params], limit };
}

export async function ledger(
  ctx: CommandContext,
  addressText: string,
  options: LedgerOptions,
): Promise<void> {
  const address = parseAddress(addressText);
  if (!address.ok) throw usageError(address.message);
  const query = ledgerQuery(address.userId, options);
  // A --from reaching a week archived in S3 reads its restored copy (asked for, and with --wait waited for).
  const fromMs = options.from === undefined ? undefined : parseTimeMs(options.from);
  const toMs = options.to === undefined ? Date.now() : (parseTimeMs(options.to) ?? Date.now());
  const restored =
    fromMs === undefined || options.segment !== undefined
      ? []
      : await restoredFor(ctx, { fromMs, toMs }, { wait: options.wait === true, waitMs: WAIT_MS });
  const opened = openSegments(ctx.config.DATA_DIR, options.segment, restored);
  const segments = opened.segments.map((segment) => segment.name).reverse();
  const rows: Row[] = [];
  try {
    for (const { db } of [...opened.segments].reverse()) {
      if (rows.length >= query.limit) break;
      rows.push(...(db.prepare(query.sql).all(...query.params) as Row[]).slice(0, query.limit - rows.length));
    }
  } finally {
    opened.close();
  }
  emit(ctx.out, { userId: address.userId, segments, rows }, () => [
    `${'id'.padStart(8)}  ${'time'.padEnd(24)}  ${'amount USD'.padStart(18)}  ${'balance USD'.padStart(18)}  ref`,
    ...rows.map(
      (r) =>
        `${String(r.id).padStart(8)}  ${new Date(r.createdAt).toISOString().padEnd(24)}  ` +
        `${formatMicros(r.amountMicros).padStart(18)}  ${formatMicros(r.balanceAfterMicros).padStart(18)}  ` +
        `${r.refType}:${r.refId}`,
    ),
    `${rows.length} row(s) in segments ${segments.join(', ')}`,
  ]);
}
