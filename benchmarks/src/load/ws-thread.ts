/**
 * The WebSocket clients of one load worker, on a thread of their own: one socket per tracked
 * wallet on ws-gateway's `/v1/ws` (`{type:"auth", token}` → `{type:"ready"}`). Every socket gets
 * every tick (10 a second each), so a thousand sockets take bursts of work every 100 ms; on the
 * load worker's own event loop those bursts delayed its sends (its event-loop delay p99 was
 * ~13 ms at 300 bets/s with 1,000 sockets, ~3 ms without), which the open-loop measurement then
 * charged to the server. Here they only delay this thread.
 *
 * Each bet event (`accepted`/`rejected`) is stamped with the absolute time it was read and sent
 * to the load worker, batched per event-loop turn; the load worker matches it with its 202.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import type { FromWsThread, ToWsThread, WsThreadConfig } from './ws-thread-protocol.js';

const CONNECT_BATCH = 100;
const READY_TIMEOUT_MS = 15_000;

const config = workerData as WsThreadConfig;
const port = parentPort!;
const post = (message: FromWsThread) => port.postMessage(message);
const now = () => performance.timeOrigin + performance.now();

const sockets: WebSocket[] = [];
const stats = { ticks: 0, closedEarly: 0 };
let closing = false;
let batch: [betId: string, status: string, atMs: number][] = [];

function flush(): void {
  if (batch.length === 0) return;
  post({ type: 'events', events: batch });
  batch = [];
}

function onMessage(text: string): void {
  if (text.startsWith('{"type":"tick"')) {
    stats.ticks += 1;
    return;
  }
  const message = JSON.parse(text) as { type?: string; betId?: string; status?: string };
  if (message.type !== 'bet' || !message.betId || !message.status) return;
  if (batch.length === 0) setImmediate(flush);
  batch.push([message.betId, message.status, now()]);
}

function open(token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(config.url, { perMessageDeflate: false });
    let ready = false;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no {type:"ready"} within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.on('message', (data) => {
      const text = data.toString();
      if (ready) return onMessage(text);
      if (text.includes('"type":"ready"')) {
        ready = true;
        clearTimeout(timer);
        sockets.push(socket);
        resolve();
      } else if (text.includes('"type":"error"')) {
        clearTimeout(timer);
        reject(new Error(`ws auth refused: ${text}`));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (!ready) reject(err);
    });
    socket.on('close', () => {
      if (ready && !closing) stats.closedEarly += 1;
    });
  });
}

async function connectAll(): Promise<void> {
  for (let i = 0; i < config.tokens.length; i += CONNECT_BATCH) {
    await Promise.all(config.tokens.slice(i, i + CONNECT_BATCH).map(open));
  }
}

port.on('message', (message: ToWsThread) => {
  if (message.type !== 'close') return;
  closing = true;
  flush();
  post({ type: 'closed', sockets: sockets.length, ...stats });
  for (const socket of sockets) socket.terminate();
});

connectAll().then(
  () => post({ type: 'ready', sockets: sockets.length }),
  (err: Error) => post({ type: 'failed', message: err.message }),
);
