/**
 * `GET /v1/ledger`: a trader's own ledger rows (SPEC §7), newest first, filtered by time range and
 * by `(refType, refId)` — what a dispute needs. Each row carries its hash so the chain can be checked.
 */
import { LEDGER_REF_TYPES } from '@tap/domain';
import { z } from 'zod';
import type { SegmentReader } from './segment-reader.js';

export const ledgerQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    refType: z.enum(LEDGER_REF_TYPES).optional(),
    refId: z.string().min(1).max(64).optional(),
    cursor: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

interface LedgerRow {
  id: number;
  amount: number;
  balance_after: number;
  ref_type: string;
  ref_id: string;
  created_at: number;
  hash: string;
}

export function listLedger(
  reader: SegmentReader,
  userId: string,
  query: z.infer<typeof ledgerQuerySchema>,
  nowMs: number,
) {
  const db = reader.forTime(query.to ?? nowMs);
  if (!db) return { rows: [], nextCursor: null };
  const rows = db
    .prepare(
      `SELECT id, amount, balance_after, ref_type, ref_id, created_at, hash FROM transaction_ledger
       WHERE user_id = ? AND id < ? AND created_at >= ? AND created_at <= ?
         AND (? IS NULL OR ref_type = ?) AND (? IS NULL OR ref_id = ?)
       ORDER BY id DESC LIMIT ?`,
    )
    .all(
      userId,
      query.cursor ?? Number.MAX_SAFE_INTEGER,
      query.from ?? 0,
      query.to ?? Number.MAX_SAFE_INTEGER,
      query.refType ?? null,
      query.refType ?? null,
      query.refId ?? null,
      query.refId ?? null,
      query.limit,
    ) as LedgerRow[];
  return {
    rows: rows.map((row) => ({
      id: row.id,
      amountMicros: row.amount,
      balanceAfterMicros: row.balance_after,
      refType: row.ref_type,
      refId: row.ref_id,
      createdAt: row.created_at,
      hash: row.hash,
    })),
    nextCursor: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}
