/**
 * One raw HTTP exchange on a fresh loopback socket, for hostile requests no HTTP client would send:
 * the request is a list of byte chunks written in order (optionally paced), the answer is whatever
 * comes back — a status line with its body's `error` code, the server closing the connection, or
 * nothing before the deadline (then the socket is destroyed). Writing stops as soon as the server
 * answered or closed, so a 100 MB body costs only what the server accepts.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type RawOutcome =
  | { kind: 'answered'; status: number; code: string | null; bytesSent: number }
  | { kind: 'closed'; bytesSent: number }
  | { kind: 'no_answer'; bytesSent: number };

export interface RawRequest {
  chunks: (Buffer | string)[] | AsyncIterable<Buffer | string>;
  /** Pause between chunks. */
  paceMs?: number;
  /** Give up (destroy the socket) this long after connecting. */
  timeoutMs: number;
}

export async function rawExchange(port: number, request: RawRequest): Promise<RawOutcome> {
  const socket = connect({ host: '127.0.0.1', port });
  let received = Buffer.alloc(0);
  let closed = false;
  let bytesSent = 0;
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined); // a reset is an outcome (closed), reported below
  void ended.then(() => {
    closed = true;
  });
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  const deadline = Date.now() + request.timeoutMs;
  const answered = () => received.includes('\r\n\r\n');
  for await (const chunk of request.chunks) {
    if (closed || answered() || Date.now() > deadline) break;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    bytesSent += bytes.length;
    if (!socket.write(bytes)) await Promise.race([new Promise((r) => socket.once('drain', r)), ended]);
    if (request.paceMs) await sleep(request.paceMs);
  }
  while (!closed && Date.now() < deadline && !fullAnswer(received)) await sleep(20);
  socket.destroy();
  return describe(received, closed, bytesSent);
}

function fullAnswer(received: Buffer): boolean {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return false;
  const length = /content-length:\s*(\d+)/i.exec(received.subarray(0, headEnd).toString('latin1'));
  return !length || received.length - headEnd - 4 >= Number(length[1]);
}

function describe(received: Buffer, closed: boolean, bytesSent: number): RawOutcome {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, 16).toString('latin1'));
  if (!status) return closed ? { kind: 'closed', bytesSent } : { kind: 'no_answer', bytesSent };
  const body = received.subarray(received.indexOf('\r\n\r\n') + 4).toString('utf8');
  let code: string | null = null;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    code = typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    code = null; // nginx's own error pages are HTML: the status is the answer
  }
  return { kind: 'answered', status: Number(status[1]), code, bytesSent };
}

/** `total` bytes of `fill` in chunks of `chunkBytes`, produced lazily (a 100 MB body is never held). */
export async function* repeated(total: number, chunkBytes = 64 * 1024, fill = 'a'): AsyncIterable<Buffer> {
  const chunk = Buffer.alloc(chunkBytes, fill);
  for (let sent = 0; sent < total; sent += chunkBytes)
    yield chunk.subarray(0, Math.min(chunkBytes, total - sent));
}
