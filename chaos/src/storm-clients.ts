/**
 * WebSocket clients for the storm scenario (chaos-ws-storm; a child process, so they do not share
 * the harness's event loop): one `@tap/client` socket per token — backoff with full jitter, resume
 * from the last event id — every one started with `lastEventId` (a client that kept the id of a
 * page load), so each reconnect after a gateway restart is a resume. On request it also opens, on
 * the tokens of one user, a normal reader that counts that user's flood events (balance events of
 * deposits whose id starts `flood-`) and slow readers: sockets that authenticate and then stop
 * reading (their TCP socket paused), which the gateway must drop rather than buffer for without bound.
 *
 *   node --import tsx storm-clients.ts <ws url> <tokens.json> <lastEventId>
 *
 * stdout: `storm.connected <ok> <failed>` once connected; stdin: `status <seq>` → `storm.status <seq> <json>`
 * (sockets open, resumed, when the last came back, flood events the normal reader got), `slow
 * <tokens.json>` → the normal reader on the first token, slow readers on the rest → `storm.slow
 * <slow ready>`, `stop` → closes everything and exits.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { connectInBatches } from '@tap/benchmarks/ws-clients/connect-in-batches';
import { leanSocket } from '@tap/benchmarks/ws-clients/lean-socket';
import { openTapSocket, type TapSocket } from '@tap/client';
import WebSocket from 'ws';

const [url, tokensPath, lastEventId] = process.argv.slice(2);
const tokens = JSON.parse(readFileSync(tokensPath!, 'utf8')) as string[];
const CONNECT_BATCH = 200;
const READY_TIMEOUT_MS = 60_000;

interface Client {
  socket: TapSocket;
  readyAtMs: number;
  /** `ready` after a loss: the resumes sent, and the moment the last one was answered. */
  resumes: number;
  lastReadyAtMs: number;
}

const clients: Client[] = [];
const stats = { losses: 0, resyncs: 0, ticks: 0, floodEvents: 0, floodReaderClosed: false };
const slowReaders: WebSocket[] = [];

function open(index: number): Promise<boolean> {
  return new Promise((resolve) => {
    let previous = 'connecting';
    const client: Client = {
      socket: undefined as unknown as TapSocket,
      readyAtMs: 0,
      resumes: 0,
      lastReadyAtMs: 0,
    };
    const timer = setTimeout(() => {
      client.socket.close();
      resolve(false);
    }, READY_TIMEOUT_MS);
    client.socket = openTapSocket({
      url: url!,
      token: tokens[index]!,
      lastEventId,
      connect: (target) =>
        leanSocket(target, () => {
          stats.ticks += 1;
        }),
      onMessage(message) {
        if (message.type === 'resync') stats.resyncs += 1;
      },
      onState(state) {
        if (state === 'open' && client.readyAtMs === 0) {
          client.readyAtMs = Date.now();
          clearTimeout(timer);
          clients.push(client);
          resolve(true);
        } else if (state === 'open') {
          client.resumes += 1;
          client.lastReadyAtMs = Date.now();
        } else if (state === 'reconnecting' && previous === 'open') {
          stats.losses += 1;
        }
        previous = state;
      },
    });
  });
}

/** A socket that authenticates and reads on: it counts the flood's events of its user. */
function openFloodReader(token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url!, { perMessageDeflate: false });
    const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"type":"ready"')) {
        clearTimeout(timer);
        resolve(true);
      } else if (text.includes('"type":"balance"') && text.includes('"refId":"flood-'))
        stats.floodEvents += 1;
    });
    socket.on('close', () => {
      stats.floodReaderClosed = true;
      resolve(false);
    });
    slowReaders.push(socket);
  });
}

/** A socket that authenticates, then never reads again: the gateway's send buffer for it only grows. */
function openSlowReader(token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url!, { perMessageDeflate: false });
    const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.on('message', (data) => {
      if (!data.toString().includes('"type":"ready"')) return;
      clearTimeout(timer);
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();
      slowReaders.push(socket);
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

const { ok, failed } = await connectInBatches(tokens.length, CONNECT_BATCH, open);
process.stdout.write(`storm.connected ${ok} ${failed}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('status ')) {
    const seq = line.slice('status '.length);
    const status = {
      clients: clients.length,
      open: clients.filter((c) => c.socket.state === 'open').length,
      resumed: clients.filter((c) => c.resumes > 0).length,
      lastReadyAtMs: clients.reduce((latest, c) => Math.max(latest, c.lastReadyAtMs), 0),
      ...stats,
    };
    process.stdout.write(`storm.status ${seq} ${JSON.stringify(status)}\n`);
  } else if (line.startsWith('slow ')) {
    const [normal, ...slow] = JSON.parse(readFileSync(line.slice('slow '.length), 'utf8')) as string[];
    Promise.all([openFloodReader(normal!), ...slow.map(openSlowReader)]).then(([normalReady, ...ready]) =>
      process.stdout.write(`storm.slow ${normalReady ? ready.filter(Boolean).length : -1}\n`),
    );
  } else if (line === 'stop') {
    for (const client of clients) client.socket.close();
    for (const socket of slowReaders) socket.terminate();
    process.stdout.write('storm.stopped\n', () => process.exit(0));
  }
});
