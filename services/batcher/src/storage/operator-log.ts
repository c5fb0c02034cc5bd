/**
 * The `operator_actions` table (segment migration 4): the audit row of every operator entry the
 * batcher accepted, written in the same transaction as the money it moved. Idempotent by
 * `(action, action_id)`, like the ledger by `(ref_type, ref_id)`.
 */
import type Database from 'better-sqlite3';

export interface OperatorActionRow {
  action: string;
  actionId: string;
  target: string;
  amountMicros: number | null;
  ledgerId: number | null;
  operator: string;
  reason: string;
  requestedAt: number;
  appliedAt: number;
}

export interface OperatorLog {
  has(action: string, actionId: string): boolean;
  record(row: OperatorActionRow): void;
}

export function createOperatorLog(db: Database.Database): OperatorLog {
  const has = db
    .prepare<[string, string], number>('SELECT 1 FROM operator_actions WHERE action = ? AND action_id = ?')
    .pluck();
  const insert = db.prepare(
    `INSERT INTO operator_actions (action, action_id, target, amount, ledger_id, operator, reason, requested_at, applied_at)
     VALUES (@action, @actionId, @target, @amountMicros, @ledgerId, @operator, @reason, @requestedAt, @appliedAt)`,
  );
  return {
    has: (action, actionId) => has.get(action, actionId) !== undefined,
    record(row) {
      insert.run(row);
    },
  };
}
