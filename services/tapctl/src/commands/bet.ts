/**
 * `bet <id>`: one bet with its terms, settlement evidence and ledger rows. The bet is shown from
 * the newest segment holding it (a bet carried over a roll-over is settled there); its ledger rows
 * come from every segment read (the stake may sit in the segment before its payout's).
 */
import { type BetDbRow, betIdSchema, betView } from '@tap/domain';
import { failure, usageError } from '../cli-error.js';
import { formatMicros } from '../input/usd.js';
import { emit, fields } from '../output.js';
import { openSegments } from '../storage/segments.js';
import type { CommandContext } from './context.js';

interface BetLedgerRow {
  id: number;
  createdAt: number;
  refType: string;
  amountMicros: number;
}

export function bet(ctx: CommandContext, betId: string, options: { segment?: string }): void {
  if (!betIdSchema.safeParse(betId).success)
    throw usageError(`"${betId}" is not a bet id (a 26-character ULID)`);
  const opened = openSegments(ctx.config.DATA_DIR, options.segment);
  let home: { row: BetDbRow; segment: string } | undefined;
  const ledgerRows: BetLedgerRow[] = [];
  try {
    for (const { name, db } of opened.segments) {
      const row = db.prepare('SELECT * FROM bets WHERE id = ?').get(betId) as BetDbRow | undefined;
      home ??= row && { row, segment: name };
      const rows = db
        .prepare(
          `SELECT id, created_at AS createdAt, ref_type AS refType, amount AS amountMicros,
             balance_after AS balanceAfterMicros
           FROM transaction_ledger WHERE ref_type IN ('bet_stake', 'bet_payout', 'bet_refund') AND ref_id = ?`,
        )
        .all(betId) as BetLedgerRow[];
      ledgerRows.push(...rows);
    }
  } finally {
    opened.close();
  }
  const searched = opened.segments.map((s) => s.name).join(', ');
  if (!home) throw failure(`no bet ${betId} in segments ${searched} (pending, or archived?)`);
  const { row } = home;
  ledgerRows.sort((a, b) => a.id - b.id);
  const view = {
    ...betView(row),
    userId: row.user_id,
    clientBetId: row.client_bet_id,
    segment: home.segment,
    ledger: ledgerRows,
  };
  emit(ctx.out, view, () => [
    ...fields([
      ['bet', view.betId],
      ['user', view.userId],
      ['segment', view.segment],
      ['status', view.reason ? `${view.status} (${view.reason})` : view.status],
      [
        'cell',
        `t0 ${new Date(row.t0).toISOString()} +${row.window_ms} ms, band ${row.p0}..${row.p0 + row.band_cents} cents`,
      ],
      ['stake', `${formatMicros(row.stake)} USD at ${(row.multiplier_bp / 10_000).toFixed(4)}x`],
      ['payout', `${formatMicros(row.payout)} USD`],
      ['placed', new Date(row.placed_at).toISOString()],
      ['settled', row.settled_at === null ? '-' : new Date(row.settled_at).toISOString()],
      ['terms', row.terms],
      ['evidence', row.evidence ?? '-'],
    ]),
    ...ledgerRows.map((l) => `ledger #${l.id}  ${l.refType}  ${formatMicros(l.amountMicros)} USD`),
  ]);
}
