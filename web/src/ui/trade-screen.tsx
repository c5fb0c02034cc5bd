/**
 * The signed-in page: header (balance, feed and connection status, faucet, logout), the breaker
 * banner, the chart with its grid, the stake and slippage selectors and the trader's recent bets;
 * History and Ledger views; a receipt per bet.
 */
import { placedMultiplierBp } from '@tap/client';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { availableMicros } from '../bets/bet-book.js';
import { describeReason } from '../bets/reasons.js';
import { loadTolerance, minMultiplierBp } from '../bets/slippage.js';
import { ChartCanvas } from '../chart/chart-canvas.js';
import type { Cell } from '../grid/grid-geometry.js';
import { formatPrice, formatUsd, usdToMicros } from '../grid/multiplier-format.js';
import type { TradingSession } from '../market/trading-session.js';
import { BetList } from './bet-list.js';
import { BetsView, LedgerView } from './history-views.js';
import { Receipt } from './receipt.js';
import { SlippageControl } from './slippage-control.js';
import { StatusBar } from './status-bar.js';

const STAKES_USD = [1, 5, 10, 25, 100];
/** Answers after which the same clientBetId is retried: the bet may or may not have been admitted. */
const RETRY_STATUSES = new Set([0, 502, 504]);

type View = 'trade' | 'bets' | 'ledger';

export function TradeScreen(props: { session: TradingSession; address: string; onLogout(): void }) {
  const { session } = props;
  const snap = useSyncExternalStore(session.subscribe, session.snapshot);
  const [stakeUsd, setStakeUsd] = useState(1);
  // The trader's stored choice, else the default for how this server fills (GET /v1/me's `fill`).
  const [toleranceBp, setToleranceBp] = useState(() => loadTolerance(globalThis.localStorage, session.fill));
  /**
   * How this server prices bets: at a later print when `GET /v1/me` named a fill delay, then as its
   * last 202 said (null: not known yet — an ingest-api older than `fill`, before the first bet).
   */
  const [nextPrintEntry, setNextPrintEntry] = useState<boolean | null>(session.fill ? true : null);
  const [view, setView] = useState<View>('trade');
  const [receiptOf, setReceiptOf] = useState<string | null>(null);
  const [faucetNote, setFaucetNote] = useState('');
  const [faucetGone, setFaucetGone] = useState(false);
  const halted = snap.breaker?.state === 'open' || snap.socket !== 'open';

  const reload = useCallback(async () => {
    const eventsBefore = session.eventsSeen;
    const [bets, me] = await Promise.all([session.api.listBets({ limit: 50 }), session.api.me()]);
    if (bets.ok) session.dispatch({ type: 'loaded', bets: bets.value.bets });
    // An event that arrived meanwhile is at least as new as this answer: keep the balance it set.
    if (me.ok && session.eventsSeen === eventsBefore) {
      const pending = session
        .snapshot()
        .book.bets.filter((b) => b.phase === 'pending')
        .reduce((sum, b) => sum + b.stakeMicros, 0);
      session.dispatch({ type: 'balance', balanceMicros: me.value.availableMicros + pending });
    }
  }, [session]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload on each ready and resync (see UiSnapshot.reloads).
  useEffect(() => void reload(), [reload, snap.reloads]);

  const onTap = async (cell: Cell, multiplierBp: number) => {
    const clientBetId = crypto.randomUUID();
    const stakeMicros = usdToMicros(stakeUsd);
    // A retry must send the same minimum (same fingerprint), so it is fixed here, once.
    const minimum = minMultiplierBp(multiplierBp, toleranceBp);
    session.dispatch({
      type: 'tap',
      clientBetId,
      ...cell,
      stakeMicros,
      multiplierBp,
      minMultiplierBp: minimum,
      toleranceBp,
    });
    for (let attempt = 0; ; attempt++) {
      const result = await session.api.placeBet({
        clientBetId,
        ...cell,
        stakeMicros,
        minMultiplierBp: minimum,
      });
      if (result.ok) {
        const priced = placedMultiplierBp(result.value);
        setNextPrintEntry(priced === null);
        session.dispatch({ type: 'admitted', clientBetId, betId: result.value.betId, multiplierBp: priced });
        return;
      }
      if (attempt < 2 && RETRY_STATUSES.has(result.status)) {
        await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
        continue;
      }
      const moved = result.details.multiplierBp;
      session.dispatch({
        type: 'refused',
        clientBetId,
        code: result.error,
        ...(result.error === 'quote_moved' && typeof moved === 'number' ? { multiplierBp: moved } : {}),
      });
      return;
    }
  };

  useEffect(() => {
    if (!faucetNote) return;
    const timer = setTimeout(() => setFaucetNote(''), 5_000);
    return () => clearTimeout(timer);
  }, [faucetNote]);

  const onFaucet = async () => {
    const result = await session.api.demoFaucet();
    if (result.ok) return setFaucetNote(`${formatUsd(result.value.amountMicros)} on its way`);
    if (result.status === 404) setFaucetGone(true);
    setFaucetNote(describeReason(result.error));
  };

  const bets = [...snap.book.bets].reverse().slice(0, 12);
  return (
    <div className="trade">
      <header className="top">
        <strong className="brand">BTC Tap</strong>
        <span className="price" data-testid="price">
          {snap.lastPriceCents ? `$${formatPrice(snap.lastPriceCents)}` : '—'}
        </span>
        <span className="balance" data-testid="balance" title={props.address}>
          {formatUsd(availableMicros(snap.book))}
        </span>
        {!faucetGone && (
          <button type="button" onClick={onFaucet} data-testid="faucet">
            Add demo funds
          </button>
        )}
        <button type="button" onClick={props.onLogout}>
          Log out
        </button>
      </header>
      <StatusBar session={session} snap={snap} note={faucetNote} />
      {snap.breaker?.state === 'open' && (
        <div className="banner" role="alert" data-testid="breaker-banner">
          Trading halted: {snap.breaker.reason.replaceAll('_', ' ')}. Bets in open windows are void if the
          feed was unhealthy; stakes are returned.
        </div>
      )}
      <nav className="tabs" aria-label="Views">
        {(['trade', 'bets', 'ledger'] as const).map((v) => (
          <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
            {v === 'trade' ? 'Trade' : v === 'bets' ? 'History' : 'Ledger'}
          </button>
        ))}
      </nav>
      {view === 'trade' && (
        <>
          <ChartCanvas session={session} halted={halted} onTap={onTap} />
          <section className="controls" aria-label="Stake and slippage">
            <span id="stake-label">Stake</span>
            <div role="radiogroup" aria-labelledby="stake-label" className="stakes">
              {STAKES_USD.map((usd) => (
                // biome-ignore lint/a11y/useSemanticElements: a row of buttons reads better than radio inputs here.
                <button
                  key={usd}
                  type="button"
                  role="radio"
                  aria-checked={stakeUsd === usd}
                  onClick={() => setStakeUsd(usd)}
                >
                  ${usd}
                </button>
              ))}
            </div>
            <SlippageControl
              toleranceBp={toleranceBp}
              onChange={setToleranceBp}
              nextPrintEntry={nextPrintEntry}
            />
          </section>
          <BetList bets={bets} onOpen={setReceiptOf} />
        </>
      )}
      {view === 'bets' && <BetsView session={session} onOpen={setReceiptOf} />}
      {view === 'ledger' && <LedgerView session={session} />}
      {receiptOf && <Receipt session={session} betId={receiptOf} onClose={() => setReceiptOf(null)} />}
    </div>
  );
}
