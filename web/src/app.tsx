/**
 * The page: signed out → the sign-in screen; signed in → the trading screen. The API lives on the
 * page's own origin (nginx proxies /v1/ and /v1/ws), so the SIWE domain and URI are this page's.
 */
import { createTapApi, signIn, type TapSigner } from '@tap/client';
import { useCallback, useEffect, useState } from 'react';
import { describeReason } from './bets/reasons.js';
import { TradingSession } from './market/trading-session.js';
import { SignIn } from './ui/sign-in.js';
import { TradeScreen } from './ui/trade-screen.js';
import { loadSession, saveSession } from './wallet/stored-session.js';

const wsUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`;

export function App() {
  const [session, setSession] = useState<TradingSession | null>(null);
  const [address, setAddress] = useState('');
  const [error, setError] = useState('');
  const [restoring, setRestoring] = useState(true);

  const begin = useCallback(async (token: string, who: string) => {
    const api = createTapApi({ baseUrl: '' });
    api.token = token;
    const me = await api.me();
    if (!me.ok) {
      saveSession(null);
      return false;
    }
    const { fill } = me.value;
    const delay = fill?.entry === 'next_print' ? fill.delay : null;
    const trading = new TradingSession(api, wsUrl(), me.value.availableMicros, delay);
    void trading.start();
    saveSession({ token, address: who });
    setAddress(me.value.address);
    setSession(trading);
    return true;
  }, []);

  useEffect(() => {
    const stored = loadSession();
    if (!stored) return setRestoring(false);
    void begin(stored.token, stored.address).finally(() => setRestoring(false));
  }, [begin]);

  const onSignIn = async (signer: TapSigner) => {
    setError('');
    const api = createTapApi({ baseUrl: '' });
    const result = await signIn(api, signer, { domain: location.host, uri: location.origin });
    if (!result.ok) return setError(`Sign-in refused: ${describeReason(result.error)}`);
    await begin(result.value.token, result.value.address);
  };

  const onLogout = async () => {
    await session?.api.logout();
    session?.stop();
    saveSession(null);
    setSession(null);
  };

  if (restoring) return <main className="loading">Loading…</main>;
  if (!session) return <SignIn onSignIn={onSignIn} error={error} onError={setError} />;
  return <TradeScreen session={session} address={address} onLogout={onLogout} />;
}
