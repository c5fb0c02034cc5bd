/**
 * Simulated traders for the demo (scripts/demo.sh): a few fresh wallets that sign in, take demo
 * funds from the faucet, and place a bet every few seconds on a random offered cell near the price
 * — through `@tap/client` and `@tap/pricing`, exactly as a bot would — so the grid a visitor opens
 * is alive. Like the page, they quote at the expected fill of the rule `GET /v1/me` names and send
 * the page's default tolerance for it (10 % under a fill delay), so most of their bets fill. Needs
 * ingest-api with DEMO_MODE=1.
 *
 *   node --import tsx web/scripts/demo-traders.ts <base URL> <count>
 *
 * Logs one line per bet outcome; stops on SIGTERM/SIGINT.
 */
import { createTapApi, openTapSocket, signIn, type TapApi, type TickMessage } from '@tap/client';
import { DEFAULT_PRICING_CONFIG, type FillDelay, fillPrintsOf, quoteExpectedFill } from '@tap/pricing';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import WebSocket from 'ws';
import { defaultToleranceBp, minMultiplierBp } from '../src/bets/slippage.js';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:8088';
const count = Number(process.argv[3] ?? 3);
const config = DEFAULT_PRICING_CONFIG;
const STAKES_MICROS = [1_000_000, 2_000_000, 5_000_000];
const BALANCE_REFILL_MICROS = 20_000_000;
const stoppers: (() => void)[] = [];

async function runTrader(n: number): Promise<void> {
  const api = createTapApi({ baseUrl });
  const url = new URL(baseUrl);
  const login = await signIn(api, privateKeyToAccount(generatePrivateKey()), {
    domain: url.host,
    uri: url.origin,
  });
  if (!login.ok) throw new Error(`trader ${n}: sign-in refused: ${login.error} ${login.message}`);
  await api.demoFaucet();
  // How the server fills bets: the page quotes at the expected fill and widens its tolerance by it.
  const me = await api.me();
  const fill = me.ok && me.value.fill?.entry === 'next_print' ? me.value.fill.delay : null;
  let tick: TickMessage | null = null;
  const socket = openTapSocket({
    url: `${baseUrl.replace(/^http/, 'ws')}/v1/ws`,
    token: login.value.token,
    connect: (wsUrl) => new WebSocket(wsUrl),
    onMessage: (message) => {
      if (message.type === 'tick') tick = message;
      if (message.type === 'bet' && ['won', 'lost', 'void'].includes(message.status)) {
        console.log(JSON.stringify({ trader: n, bet: message.betId, status: message.status }));
      }
    },
  });
  const timer = setInterval(() => void (tick && betOnce(api, tick, fill)), 1_500 + Math.random() * 2_500);
  stoppers.push(() => {
    clearInterval(timer);
    socket.close();
  });
}

/** One bet on a random offered cell 1–6 columns ahead, within 3 bands of the price. */
async function betOnce(api: TapApi, tick: TickMessage, fill: FillDelay | null): Promise<void> {
  const me = await api.me();
  if (me.ok && me.value.availableMicros < BALANCE_REFILL_MICROS) await api.demoFaucet();
  const nowMs = Date.now();
  const first = Math.ceil((nowMs + config.leadMs + 500) / config.windowMs) * config.windowMs;
  const t0 = first + Math.floor(Math.random() * 6) * config.windowMs;
  const band = Math.floor(tick.p / config.bandCents) * config.bandCents;
  const p0 = band + (Math.floor(Math.random() * 7) - 3) * config.bandCents;
  const print = { ...tick, priceCents: tick.p };
  const fillPrints = fill ? fillPrintsOf(fill, print, nowMs, config.printIntervalMs) : 0;
  const quote = quoteExpectedFill(print, { t0, p0, nowMs }, fillPrints, config);
  if (!quote.ok) return;
  const stakeMicros = STAKES_MICROS[Math.floor(Math.random() * STAKES_MICROS.length)] ?? 1_000_000;
  // The page's default slippage tolerance for this fill rule, so the demo's bets fill as a visitor's do.
  const minimum = minMultiplierBp(quote.multiplierBp, defaultToleranceBp(fill));
  await api.placeBet({ t0, p0, stakeMicros, minMultiplierBp: minimum });
}

const stop = () => {
  for (const stopper of stoppers) stopper();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
await Promise.all(Array.from({ length: count }, (_, n) => runTrader(n)));
console.log(JSON.stringify({ traders: count, baseUrl, msg: 'demo traders running' }));
