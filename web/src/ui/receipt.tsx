/**
 * A bet's receipt: its terms (everything that priced it), its evidence, and the window's candle
 * drawn against the band from the index prints (`/v1/index/history`) — what anyone needs to
 * recompute the result (SPEC §4).
 */
import type { BetView, IndexPrint } from '@tap/client';
import { useEffect, useRef, useState } from 'react';
import { formatMultiplier, formatPrice, formatUsd } from '../grid/multiplier-format.js';
import type { TradingSession } from '../market/trading-session.js';
import { windowCandle } from './window-candle.js';

export function Receipt(props: { session: TradingSession; betId: string; onClose(): void }) {
  const { session, betId } = props;
  const [bet, setBet] = useState<BetView | null>(null);
  const [prints, setPrints] = useState<IndexPrint[]>([]);
  const [error, setError] = useState('');
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeRef.current?.focus();
    void (async () => {
      const found = await session.api.getBet(betId);
      if (!found.ok) return setError(found.message);
      if (!('t0' in found.value)) return setError('The bet is still pending.');
      const view = found.value;
      setBet(view);
      const history = await session.api.indexPrints({
        from: view.t0 - 2_000,
        to: view.t0 + view.windowMs + 1_000,
      });
      if (history.ok) setPrints(history.value.prints);
    })();
  }, [session, betId]);

  const candle = bet ? windowCandle(prints, bet) : null;
  return (
    <div className="overlay">
      <dialog open className="receipt" aria-label="Bet receipt" data-testid="receipt">
        <h2>Receipt</h2>
        {error && <p className="error">{error}</p>}
        {bet && (
          <>
            <p className={`outcome ${bet.status}`}>
              {bet.status.toUpperCase()}
              {bet.status === 'won' && ` — paid ${formatUsd(bet.payoutMicros)}`}
            </p>
            <dl>
              <dt>Bet</dt>
              <dd>{bet.betId}</dd>
              <dt>Cell</dt>
              <dd>
                ${formatPrice(bet.p0)} – ${formatPrice(bet.p0 + bet.bandCents)},{' '}
                {new Date(bet.t0).toISOString()} + {bet.windowMs / 1000} s
              </dd>
              <dt>Stake × multiplier</dt>
              <dd>
                {formatUsd(bet.stakeMicros)} × {formatMultiplier(bet.multiplierBp)} ({bet.multiplierBp} bp)
              </dd>
              {candle && (
                <>
                  <dt>Window candle</dt>
                  <dd>
                    low ${formatPrice(candle.low)}, high ${formatPrice(candle.high)} over {candle.prints}{' '}
                    prints → {candle.touched ? 'touched the band' : 'did not touch the band'}
                  </dd>
                </>
              )}
            </dl>
            {candle && <CandleChart bet={bet} prints={prints} low={candle.low} high={candle.high} />}
            <details>
              <summary>Terms and evidence</summary>
              <pre>{JSON.stringify({ terms: bet.terms, evidence: bet.evidence }, null, 2)}</pre>
            </details>
          </>
        )}
        <button ref={closeRef} type="button" onClick={props.onClose}>
          Close
        </button>
      </dialog>
    </div>
  );
}

const W = 320;
const H = 160;

function CandleChart(props: { bet: BetView; prints: IndexPrint[]; low: number; high: number }) {
  const { bet, prints } = props;
  const fromT = bet.t0 - 2_000;
  const toT = bet.t0 + bet.windowMs + 1_000;
  const prices = [...prints.map((p) => p.priceCents), bet.p0, bet.p0 + bet.bandCents];
  const minP = Math.min(...prices) - bet.bandCents / 2;
  const maxP = Math.max(...prices) + bet.bandCents / 2;
  const x = (t: number) => ((t - fromT) / (toT - fromT)) * (W - 40);
  const y = (p: number) => H - ((p - minP) / (maxP - minP)) * H;
  const path = prints.map(
    (p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.priceCents).toFixed(1)}`,
  );
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="candle" role="img" aria-label="Window candle against the band">
      <rect
        x={x(bet.t0)}
        y={y(bet.p0 + bet.bandCents)}
        width={x(bet.t0 + bet.windowMs) - x(bet.t0)}
        height={Math.max(1, y(bet.p0) - y(bet.p0 + bet.bandCents))}
        className="band"
      />
      <path d={path.join(' ')} className="prints" />
      <line x1={W - 20} x2={W - 20} y1={y(props.high)} y2={y(props.low)} className="wick" />
      <line x1={x(bet.t0)} x2={x(bet.t0)} y1={0} y2={H} className="edge" />
      <line x1={x(bet.t0 + bet.windowMs)} x2={x(bet.t0 + bet.windowMs)} y1={0} y2={H} className="edge" />
    </svg>
  );
}
