/** Bet history (`GET /v1/bets`) and the ledger (`GET /v1/ledger`, each row with its chain hash). */
import type { BetLookup, LedgerRowView } from '@tap/client';
import { useEffect, useState } from 'react';
import { describeReason } from '../bets/reasons.js';
import { formatMultiplier, formatPrice, formatUsd } from '../grid/multiplier-format.js';
import type { TradingSession } from '../market/trading-session.js';

export function BetsView({ session, onOpen }: { session: TradingSession; onOpen(betId: string): void }) {
  const [bets, setBets] = useState<BetLookup[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void session.api
      .listBets({ limit: 100 })
      .then((r) => (r.ok ? setBets(r.value.bets) : setError(r.message)));
  }, [session]);
  if (error) return <p className="error">{error}</p>;
  if (!bets) return <p>Loading…</p>;
  return (
    <table className="history" data-testid="history">
      <caption>Your bets, newest first</caption>
      <thead>
        <tr>
          <th>Placed</th>
          <th>Band</th>
          <th>Stake</th>
          <th>Multiplier</th>
          <th>Status</th>
          <th>Payout</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {bets.map((bet) =>
          't0' in bet ? (
            <tr key={bet.betId}>
              <td>{new Date(bet.placedAt).toLocaleTimeString()}</td>
              <td>${formatPrice(bet.p0)}</td>
              <td>{formatUsd(bet.stakeMicros)}</td>
              <td>{formatMultiplier(bet.multiplierBp)}</td>
              <td title={describeReason(bet.reason)}>{bet.status}</td>
              <td>{bet.payoutMicros ? formatUsd(bet.payoutMicros) : '—'}</td>
              <td>
                <button type="button" onClick={() => onOpen(bet.betId)}>
                  Receipt
                </button>
              </td>
            </tr>
          ) : null,
        )}
      </tbody>
    </table>
  );
}

export function LedgerView({ session }: { session: TradingSession }) {
  const [rows, setRows] = useState<LedgerRowView[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void session.api
      .listLedger({ limit: 100 })
      .then((r) => (r.ok ? setRows(r.value.rows) : setError(r.message)));
  }, [session]);
  if (error) return <p className="error">{error}</p>;
  if (!rows) return <p>Loading…</p>;
  return (
    <table className="history" data-testid="ledger">
      <caption>Ledger, newest first (every row is hash-chained)</caption>
      <thead>
        <tr>
          <th>Time</th>
          <th>Type</th>
          <th>Amount</th>
          <th>Balance after</th>
          <th>Hash</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id}>
            <td>{new Date(row.createdAt).toLocaleTimeString()}</td>
            <td>{row.refType.replaceAll('_', ' ')}</td>
            <td>{formatUsd(row.amountMicros)}</td>
            <td>{formatUsd(row.balanceAfterMicros)}</td>
            <td className="hash">{row.hash.slice(0, 12)}…</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
