import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createReaderPool,
  type ReaderPool,
  type ReaderPoolOptions,
  type RestartReason,
} from './reader-pool.js';
import type { ReadQuery } from './reader-protocol.js';

// A real worker thread speaking the reader protocol; what it does is named by the query's betId:
// `echo` answers at once, `slow:<ms>` blocks its thread that long first, `crash` exits the thread,
// `hang` never answers, `throw` answers `failed`. The SQLite side runs in the daemon's tests
// (index-history.int.test.ts, reader.int.test.ts); this one covers the pool's bounds and recovery.
const FAKE_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, query }) => {
  const cmd = query.betId;
  if (cmd === 'crash') process.exit(3);
  if (cmd === 'hang') return;
  if (cmd === 'throw') return parentPort.postMessage({ type: 'failed', id, message: 'boom' });
  if (cmd.startsWith('slow:')) { const until = Date.now() + Number(cmd.slice(5)); while (Date.now() < until); }
  const body = new TextEncoder().encode(JSON.stringify({ echo: cmd }));
  parentPort.postMessage({ type: 'answer', id, answer: { kind: 'ok', body, stored: true, restored: [] } }, [body.buffer]);
});
parentPort.postMessage({ type: 'ready', nice: null });
`;

const pools: ReaderPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

function pool(options: Partial<ReaderPoolOptions> = {}) {
  const restarts: RestartReason[] = [];
  const created = createReaderPool({
    spawn: () => new Worker(FAKE_WORKER, { eval: true }),
    queueMax: 8,
    queryTimeoutMs: 5_000,
    respawnDelayMs: 50,
    onRestart: (reason) => restarts.push(reason),
    ...options,
  });
  pools.push(created);
  return { reader: created, restarts };
}

const q = (betId: string): ReadQuery => ({ op: 'bet', userId: 'u', betId, range: null });

function echoOf(result: Awaited<ReturnType<ReaderPool['read']>>): unknown {
  if (!result.ok || result.answer.kind !== 'ok' || !result.answer.body) return result;
  return JSON.parse(new TextDecoder().decode(result.answer.body));
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('createReaderPool', { timeout: 30_000 }, () => {
  it('answers every query with its own body, one at a time, in order', async () => {
    const { reader } = pool();
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => reader.read(q(id))));
    expect(results.map(echoOf)).toEqual(['a', 'b', 'c', 'd'].map((echo) => ({ echo })));
    expect(reader.stats()).toEqual({ ready: true, nice: null, queued: 0, inFlight: 0, restarts: 0 });
  });

  it('answers service_busy at once past queueMax instead of queueing without bound', async () => {
    const { reader } = pool({ queueMax: 2 });
    await until(() => reader.stats().ready);
    const first = reader.read(q('slow:300')); // in flight
    const queued = [reader.read(q('a')), reader.read(q('b'))];
    const refused = await reader.read(q('c'));
    expect(refused).toMatchObject({ ok: false, code: 'service_busy' });
    expect(reader.stats()).toMatchObject({ queued: 2, inFlight: 1 });
    expect([await first, ...(await Promise.all(queued))].map(echoOf)).toEqual([
      { echo: 'slow:300' },
      { echo: 'a' },
      { echo: 'b' },
    ]);
  });

  it('replaces a worker that crashes, answers its query service_busy, and serves the queue on', async () => {
    const { reader, restarts } = pool();
    await until(() => reader.stats().ready);
    const crashed = reader.read(q('crash'));
    const after = reader.read(q('after'));
    expect(await crashed).toMatchObject({ ok: false, code: 'service_busy' });
    expect(echoOf(await after)).toEqual({ echo: 'after' });
    expect(restarts).toEqual(['crash']);
    expect(reader.stats().restarts).toBe(1);
  });

  it('replaces a wedged worker after queryTimeoutMs and answers service_busy', async () => {
    const { reader, restarts } = pool({ queryTimeoutMs: 300 });
    const wedged = await reader.read(q('hang'));
    expect(wedged).toMatchObject({ ok: false, code: 'service_busy' });
    // The replacement must start first: on a loaded host a thread's start alone can take 300 ms.
    await until(() => reader.stats().ready);
    expect(echoOf(await reader.read(q('next')))).toEqual({ echo: 'next' });
    expect(restarts).toEqual(['wedged']);
  });

  it('answers a query that waited past queryTimeoutMs service_busy without touching the worker', async () => {
    const { reader, restarts } = pool({ queryTimeoutMs: 2_000 });
    await until(() => reader.stats().ready);
    const busy = reader.read(q('slow:1200'));
    const waiting = reader.read(q('slow:1200'));
    const late = reader.read(q('late'));
    expect(echoOf(await busy)).toEqual({ echo: 'slow:1200' });
    expect(echoOf(await waiting)).toEqual({ echo: 'slow:1200' });
    // `late` waited 2,400 ms behind two 1,200 ms queries: past its 2,000 ms wait.
    expect(await late).toMatchObject({ ok: false, code: 'service_busy' });
    expect(restarts).toEqual([]);
  });

  it('turns a query that threw into internal, and the worker lives on', async () => {
    const { reader, restarts } = pool();
    expect(await reader.read(q('throw'))).toEqual({ ok: false, code: 'internal', message: 'boom' });
    expect(echoOf(await reader.read(q('ok')))).toEqual({ echo: 'ok' });
    expect(restarts).toEqual([]);
  });

  it('never sends a query whose client went away while it waited', async () => {
    const { reader } = pool();
    await until(() => reader.stats().ready);
    const busy = reader.read(q('slow:200'));
    let gone = false;
    const abandoned = reader.read(q('crash'), () => gone);
    gone = true;
    await busy;
    expect(await abandoned).toMatchObject({ ok: false, code: 'service_busy' });
    expect(reader.stats().restarts).toBe(0);
  });

  it('retries an entry that never becomes ready at most once per respawnDelayMs', async () => {
    const { reader, restarts } = pool({
      spawn: () => new Worker('setInterval(() => {}, 1000)', { eval: true }),
      startTimeoutMs: 100,
      respawnDelayMs: 100,
      queryTimeoutMs: 600,
    });
    expect(await reader.read(q('x'))).toMatchObject({ ok: false, code: 'service_busy' });
    expect(restarts.length).toBeGreaterThanOrEqual(1);
    expect(restarts.length).toBeLessThanOrEqual(4);
    expect(new Set(restarts)).toEqual(new Set(['start_timeout']));
  });

  it('answers waiting queries service_busy on close, and close is idempotent', async () => {
    const { reader } = pool();
    const pending = reader.read(q('hang'));
    const first = reader.close();
    expect(reader.close()).toBe(first);
    await first;
    expect(await pending).toMatchObject({ ok: false, code: 'service_busy' });
    expect(await reader.read(q('x'))).toMatchObject({ ok: false, code: 'service_busy' });
  });
});
