/**
 * Feed status (venues and age of the last print) and the connection state, refreshed every second.
 * Venues come from the newest 1-second candle (`/v1/index/history?resolution=1s`), polled every 5 s.
 */
import { useEffect, useState } from 'react';
import type { TradingSession, UiSnapshot } from '../market/trading-session.js';

const VENUE_POLL_MS = 5_000;

export function StatusBar({
  session,
  snap,
  note,
}: {
  session: TradingSession;
  snap: UiSnapshot;
  note: string;
}) {
  const [, setSecond] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setSecond((s) => s + 1), 1_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    const poll = async () => {
      const now = Math.floor(session.now());
      const result = await session.api.indexCandles({ from: now - 10_000, to: now + 1_000, limit: 20 });
      const last = result.ok ? (result.value.candles.at(-1) as { v?: number } | undefined) : undefined;
      session.setVenues(typeof last?.v === 'number' ? last.v : null);
    };
    void poll();
    const timer = setInterval(poll, VENUE_POLL_MS);
    return () => clearInterval(timer);
  }, [session]);

  const ageMs = snap.lastPrintT ? Math.max(0, session.now() - snap.lastPrintT) : null;
  const connection =
    snap.socket === 'open'
      ? 'Live'
      : snap.socket === 'reconnecting' || snap.socket === 'connecting'
        ? 'Reconnecting…'
        : snap.socket === 'unauthorized'
          ? 'Signed out by the server'
          : 'Disconnected';
  return (
    <div className="status" data-testid="status">
      <span
        data-testid="connection"
        data-state={snap.socket}
        className={snap.socket === 'open' ? 'ok' : 'warn'}
      >
        {connection}
      </span>
      <span data-testid="feed">
        Feed: {snap.venues ?? '?'} venues · last print{' '}
        {ageMs === null ? '—' : `${(ageMs / 1000).toFixed(1)} s ago`}
      </span>
      {note && <span aria-live="polite">{note}</span>}
    </div>
  );
}
