/**
 * WebSocket clients for the fan-out benchmark (a child process, so they do not share the harness's
 * event loop): opens one authenticated socket per token on ws-gateway, then counts price ticks and
 * their delivery latency (receive time − the print's `t`).
 *
 *   node --import tsx fanout-clients.ts <ws url> <tokens.json>
 *
 * stdout: `fanout.connected <ok> <failed>` once connected; stdin commands: `reset` (start
 * counting) and `report <expected ticks>` (print `fanout.report <json>` and exit).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { createHistogram, encodeHistogram, recordMs } from '../stats/histogram.js';
import { connectInBatches } from './connect-in-batches.js';

const [url, tokensPath] = process.argv.slice(2);
const tokens = JSON.parse(readFileSync(tokensPath!, 'utf8')) as string[];
const CONNECT_BATCH = 200;

const received = new Uint32Array(tokens.length);
let latency = createHistogram();
let counting = false;
let closed = 0;

function open(index: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url!, { perMessageDeflate: false });
    let ready = false;
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(false);
    }, 30_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: tokens[index] })));
    socket.on('message', (data) => {
      const text = data.toString();
      if (!ready) {
        if (text.includes('"type":"ready"')) {
          ready = true;
          clearTimeout(timer);
          resolve(true);
        }
        return;
      }
      if (!counting || !text.startsWith('{"type":"tick"')) return;
      received[index] = (received[index] ?? 0) + 1;
      const t = Number(/"t":(\d+)/.exec(text)?.[1]);
      if (t > 0) recordMs(latency, Date.now() - t);
    });
    socket.on('error', () => {
      clearTimeout(timer);
      if (!ready) resolve(false);
    });
    socket.on('close', () => {
      if (ready) closed += 1;
    });
  });
}

const { ok, failed } = await connectInBatches(tokens.length, CONNECT_BATCH, open);
process.stdout.write(`fanout.connected ${ok} ${failed}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'reset') {
    received.fill(0);
    latency = createHistogram();
    counting = true;
    process.stdout.write('fanout.counting\n');
  } else if (line.startsWith('report ')) {
    const expected = Number(line.slice('report '.length));
    let ticksTotal = 0;
    let ticksMin = Number.POSITIVE_INFINITY;
    let complete = 0;
    for (const n of received) {
      ticksTotal += n;
      ticksMin = Math.min(ticksMin, n);
      if (n >= expected) complete += 1;
    }
    const report = {
      clients: tokens.length,
      connected: ok,
      closedEarly: closed,
      ticksTotal,
      ticksMin,
      complete,
      latency: encodeHistogram(latency),
    };
    process.stdout.write(`fanout.report ${JSON.stringify(report)}\n`, () => process.exit(0));
  }
});
