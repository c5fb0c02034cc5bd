/**
 * The boot drill's trader (scripts/systemd-drill.sh): a fresh wallet signed with viem on the host,
 * talking to the booted box only through its nginx (run inside the box's network namespace, so
 * http://127.0.0.1 is the box's port 80). It uses @tap/client, the web client's own API client.
 *
 *   tsx bet-path.mts login STATE            → signs in, writes {token, address} to STATE
 *   tsx bet-path.mts faucet STATE           → POST /v1/demo/faucet, prints the status and code
 *   tsx bet-path.mts ws STATE               → the WebSocket through nginx signs in (`ready`)
 *   tsx bet-path.mts bet STATE [N]          → N bets (default 1), each 202'd, applied and settled
 *   tsx bet-path.mts place STATE [N] / settle STATE   → the two halves of `bet`
 *   tsx bet-path.mts audit STATE            → every bet in STATE final, the balance adds up
 *
 * Exit 1 with a reason on any miss. State is a JSON file: the bets it placed and the deposit.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// Resolved from the e2e package, which depends on both (this script is not a workspace package).
const e2eRequire = createRequire(join(import.meta.dirname, '../../e2e/package.json'));
const { createTapApi, signIn } = (await import(
  e2eRequire.resolve('@tap/client')
)) as typeof import('../../packages/client/src/index.js');
type Hex = `0x${string}`;
const { generatePrivateKey, privateKeyToAccount } = (await import(e2eRequire.resolve('viem/accounts'))) as {
  generatePrivateKey(): Hex;
  privateKeyToAccount(key: Hex): import('../../packages/client/src/index.js').TapSigner;
};

const { default: WebSocket } = (await import(e2eRequire.resolve('ws'))) as {
  default: typeof globalThis.WebSocket;
};

const BASE_URL = process.env.DRILL_BASE_URL ?? 'http://127.0.0.1';
const LOGIN = {
  domain: process.env.DRILL_LOGIN_DOMAIN ?? 'tap.drill',
  uri: process.env.DRILL_LOGIN_URI ?? 'https://tap.drill',
};
// Settled (won, lost) or refunded (void). `rejected` means the batcher refused an admitted bet: a miss.
const FINAL = new Set(['won', 'lost', 'void']);

interface State {
  token: string;
  address: string;
  depositMicros: number;
  bets: { betId: string; stakeMicros: number }[];
}

const [command, statePath, countArg] = process.argv.slice(2);
if (!command || !statePath) fail('usage: bet-path.mts login|faucet|bet|audit STATE [N]');

function fail(message: string): never {
  console.error(`bet-path: ${message}`);
  process.exit(1);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = (): State => JSON.parse(readFileSync(statePath, 'utf8')) as State;
const save = (state: State) => writeFileSync(statePath, JSON.stringify(state, null, 2));

function apiFor(state?: State) {
  const api = createTapApi({ baseUrl: BASE_URL, timeoutMs: 10_000 });
  if (state) api.token = state.token;
  return api;
}

async function login() {
  const account = privateKeyToAccount(generatePrivateKey());
  const api = apiFor();
  const res = await signIn(api, account, LOGIN);
  if (!res.ok) fail(`login refused: ${res.status} ${res.error} ${res.message}`);
  save({ token: res.value.token, address: account.address, depositMicros: 0, bets: [] });
  console.log(`login 200: ${account.address}`);
}

async function faucet() {
  const res = await apiFor(load()).demoFaucet();
  console.log(
    res.ok ? `faucet ${res.status} ${res.value.amountMicros}` : `faucet ${res.status} ${res.error}`,
  );
}

/** The latest index (cents) from the public candles, as the web client's chart has it. */
async function indexCents(api: ReturnType<typeof apiFor>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const now = Date.now();
    const res = await api.indexCandles({ from: now - 30_000, to: now });
    if (res.ok && res.value.candles.length > 0) return res.value.candles.at(-1)?.c as number;
    if (attempt === 20) fail(`no index candles: ${JSON.stringify(res)}`);
    await sleep(1_000);
  }
}

async function placeOne(state: State): Promise<string> {
  const api = apiFor(state);
  // Up to 90 s: right after boot the breaker stays open until the venues have been healthy for
  // BREAKER_RECOVERY_MS (503 trading_halted), and a restarted daemon takes a moment to answer.
  const deadline = Date.now() + 90_000;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    const price = await indexCents(api);
    const t0 = Math.ceil((Date.now() + 3_000) / 5_000) * 5_000 + 5_000;
    const p0 = Math.floor(price / 1_000) * 1_000;
    const res = await api.placeBet({
      clientBetId: randomUUID(),
      t0,
      p0,
      stakeMicros: 1_000_000,
      minMultiplierBp: 10_100,
    });
    if (res.ok) {
      state.bets.push({ betId: res.value.betId, stakeMicros: 1_000_000 });
      save(state);
      console.log(`bet ${res.status}: ${res.value.betId} at ${res.value.multiplierBp} bp`);
      return res.value.betId;
    }
    // A quote that moved or a cell that closed meanwhile: price again. A daemon coming back after
    // the drill restarted it (nginx 502, batcher_behind): again after a second. Else a miss.
    const again = ['quote_moved', 'cell_not_placeable', 'cell_not_offered'].includes(res.error);
    if (!again && res.status < 500) fail(`bet refused: ${res.status} ${res.error} ${res.message}`);
    console.log(`bet try ${attempt}: ${res.status} ${res.error}`);
    await sleep(1_000);
  }
  fail('no bet accepted in 90 s');
}

async function waitFinal(state: State, betId: string, timeoutMs = 90_000) {
  const api = apiFor(state);
  const deadline = Date.now() + timeoutMs;
  let applied = false;
  for (;;) {
    const res = await api.getBet(betId);
    const status = res.ok ? String((res.value as { status: string }).status) : `error ${res.status}`;
    if (!applied && res.ok && status !== 'pending') {
      applied = true;
      console.log(`bet ${betId} applied: ${status}`);
    }
    if (status === 'rejected') fail(`bet ${betId} rejected by the batcher: ${JSON.stringify(res)}`);
    if (FINAL.has(status)) {
      console.log(`bet ${betId} final: ${status}`);
      return;
    }
    if (Date.now() > deadline) fail(`bet ${betId} not final in ${timeoutMs} ms (last: ${status})`);
    await sleep(1_000);
  }
}

async function place() {
  const state = load();
  for (let i = 0; i < Number(countArg ?? 1); i++) await placeOne(state);
}

/** Every bet of STATE applied and final (settled or refunded). */
async function settle() {
  const state = load();
  for (const { betId } of state.bets) await waitFinal(state, betId);
}

async function bet() {
  await place();
  await settle();
}

/** The WebSocket through nginx's /v1/ws upgrade: signed in with the session, `ready` within 10 s. */
async function ws() {
  const state = load();
  const socket = new WebSocket(`${BASE_URL.replace(/^http/, 'ws')}/v1/ws`);
  const ready = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('no ready within 10 s'), 10_000);
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token: state.token })));
    socket.addEventListener('error', () => resolve('socket error'));
    socket.addEventListener('message', (message) => {
      const event = JSON.parse(String(message.data)) as { type: string };
      if (event.type === 'ready') {
        clearTimeout(timer);
        resolve('ready');
      }
    });
  });
  socket.close();
  if (ready !== 'ready') fail(`WebSocket through nginx: ${ready}`);
  console.log('ws: ready through nginx');
}

/** Every placed bet final, and available = deposit − stakes + what the ledger paid back. */
async function audit() {
  const state = load();
  const api = apiFor(state);
  for (const { betId } of state.bets) await waitFinal(state, betId, 30_000);
  const me = await api.me();
  if (!me.ok) fail(`GET /v1/me: ${me.status} ${me.error}`);
  const ledger = await api.listLedger({ limit: 500 });
  if (!ledger.ok) fail(`GET /v1/ledger: ${ledger.status} ${ledger.error}`);
  const sum = ledger.value.rows.reduce((acc, row) => acc + row.amountMicros, 0);
  const available = Number(me.value.availableMicros);
  console.log(
    `audit: ${state.bets.length} bets, ledger rows ${ledger.value.rows.length}, sum ${sum}, available ${available}`,
  );
  if (sum !== available) fail(`balance ${available} ≠ ledger sum ${sum}`);
  const stakes = ledger.value.rows.filter((row) => row.refType === 'bet_stake');
  if (stakes.length !== state.bets.length)
    fail(`${state.bets.length} bets placed, ${stakes.length} stakes in the ledger`);
}

const commands: Record<string, () => Promise<void>> = { login, faucet, ws, place, settle, bet, audit };
const run = commands[command] ?? (() => fail(`unknown command ${command}`));
await run();
