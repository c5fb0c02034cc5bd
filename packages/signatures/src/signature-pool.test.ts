import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceBundle } from '../../../tsup.service.js';
import { createSignaturePool, type SignaturePool, type SignaturePoolOptions } from './signature-pool.js';
import { runSignatureWorkerIfWorker } from './signature-worker.js';
import { signedLogin, testPolicy } from './test-fixtures.js';

// The workers run real single-file bundles made by the services' own tsup config, so these tests
// prove the production wiring (and Node 20 cannot start a worker from a .ts file anyway).
let bundleDir = '';
let WORKER_URL: URL;
let FAULTY_WORKER_URL: URL;

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'tap-signatures-'));
  const entry = {
    main: fileURLToPath(new URL('./test-service-main.ts', import.meta.url)),
    faulty: fileURLToPath(new URL('./test-faulty-service-main.ts', import.meta.url)),
  };
  await build({
    ...serviceBundle(),
    entry,
    outDir: bundleDir,
    sourcemap: false,
    config: false,
    silent: true,
  });
  WORKER_URL = pathToFileURL(join(bundleDir, 'main.js'));
  FAULTY_WORKER_URL = pathToFileURL(join(bundleDir, 'faulty.js'));
}, 60_000);

afterAll(async () => {
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

const pools: SignaturePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

function pool(options: Partial<SignaturePoolOptions> = {}): SignaturePool {
  const created = createSignaturePool({
    workerUrl: WORKER_URL,
    size: 2,
    queueMax: 1_000,
    verifyTimeoutMs: 10_000,
    ...options,
  });
  pools.push(created);
  return created;
}

async function workersReady(signatures: SignaturePool, count: number): Promise<void> {
  while (signatures.stats().workers < count) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A signature that passes the shape check and tells the faulty worker entry to misbehave. */
async function loginWithSignatureEnding(tail: 'dead1b' | 'beef1b') {
  const { input } = await signedLogin();
  return { ...input, signature: input.signature.slice(0, -tail.length) + tail };
}

describe('createSignaturePool', { timeout: 30_000 }, () => {
  it('verifies 200 logins through 2 workers, each answer matching its signer', async () => {
    const signatures = pool({ size: 2 });
    const logins = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signedLogin({ chainId: i % 2 ? 1 : 8453 })),
    );
    const results = await Promise.all(logins.map(({ input }) => signatures.verify(input, testPolicy())));
    results.forEach((result, i) => {
      expect(result).toMatchObject({ ok: true, userId: logins[i]!.account.address.toLowerCase() });
    });
    expect(signatures.stats()).toEqual({ workers: 2, busy: 0, queued: 0, replaced: 0 });
  });

  it('refuses a bad signature in a worker with the same code as the in-thread check', async () => {
    const { input } = await signedLogin();
    const other = await signedLogin();
    const result = await pool().verify({ ...input, signature: other.input.signature }, testPolicy());
    expect(result).toMatchObject({ ok: false, code: 'address_mismatch' });
  });

  it('refuses junk on the calling thread without queueing it', async () => {
    const signatures = pool({ size: 1, queueMax: 0 });
    const { input } = await signedLogin({ domain: 'evil.example' });
    const pending = signatures.verify(input, testPolicy());
    expect(signatures.stats().queued).toBe(0);
    expect(await pending).toMatchObject({ ok: false, code: 'domain_mismatch' });
  });

  it('answers login_busy at once when the queue is full', async () => {
    const logins = await Promise.all(Array.from({ length: 6 }, () => signedLogin()));
    const signatures = pool({ size: 1, queueMax: 2 });
    // The worker cannot be ready yet (that takes a turn of the event loop), so the first two wait
    // in the queue and the rest overflow.
    const pending = logins.map(({ input }) => signatures.verify(input, testPolicy()));
    expect(signatures.stats()).toMatchObject({ queued: 2, busy: 0 });
    const codes = (await Promise.all(pending)).map((r) => (r.ok ? 'ok' : r.code));
    expect(codes).toEqual(['ok', 'ok', 'login_busy', 'login_busy', 'login_busy', 'login_busy']);
  });

  it('replaces a worker that dies and answers its request login_busy', async () => {
    const errors: Error[] = [];
    const signatures = pool({
      workerUrl: FAULTY_WORKER_URL,
      size: 1,
      onWorkerError: (err) => errors.push(err),
    });
    await workersReady(signatures, 1);
    const crash = await signatures.verify(await loginWithSignatureEnding('dead1b'), testPolicy());
    expect(crash).toMatchObject({ ok: false, code: 'login_busy' });
    const { input } = await signedLogin();
    expect(await signatures.verify(input, testPolicy())).toMatchObject({ ok: true });
    expect(signatures.stats()).toMatchObject({ workers: 1, replaced: 1 });
    expect(errors).toEqual([]);
  });

  it('answers login_busy after verifyTimeoutMs and replaces a wedged worker', async () => {
    const signatures = pool({ workerUrl: FAULTY_WORKER_URL, size: 1, verifyTimeoutMs: 1_000 });
    await workersReady(signatures, 1);
    const wedged = await signatures.verify(await loginWithSignatureEnding('beef1b'), testPolicy());
    expect(wedged).toMatchObject({ ok: false, code: 'login_busy' });
    await workersReady(signatures, 1);
    const { input } = await signedLogin();
    expect(await signatures.verify(input, testPolicy())).toMatchObject({ ok: true });
    expect(signatures.stats().replaced).toBe(1);
  });

  it('reports a worker entry that fails to load and retries it at most once per respawnDelayMs', async () => {
    const errors: Error[] = [];
    const signatures = pool({
      // Every worker dies before it reports ready.
      workerUrl: new URL('./no-such-entry.js', import.meta.url),
      size: 1,
      respawnDelayMs: 100,
      verifyTimeoutMs: 500,
      onWorkerError: (err) => errors.push(err),
    });
    const { input } = await signedLogin();
    expect(await signatures.verify(input, testPolicy())).toMatchObject({ ok: false, code: 'login_busy' });
    const { workers, replaced } = signatures.stats();
    expect(workers).toBe(0);
    expect(replaced).toBeGreaterThanOrEqual(1);
    expect(replaced).toBeLessThanOrEqual(6);
    expect(errors[0]?.message).toMatch(/Cannot find module/);
  });

  it('replaces a worker whose entry never calls runSignatureWorkerIfWorker within startTimeoutMs', async () => {
    const errors: Error[] = [];
    const signatures = pool({
      workerUrl: new URL('data:text/javascript,setInterval(() => {}, 1000)'),
      size: 1,
      startTimeoutMs: 200,
      respawnDelayMs: 50,
      verifyTimeoutMs: 500,
      onWorkerError: (err) => errors.push(err),
    });
    const { input } = await signedLogin();
    expect(await signatures.verify(input, testPolicy())).toMatchObject({ ok: false, code: 'login_busy' });
    expect(signatures.stats()).toMatchObject({ workers: 0, queued: 0 });
    expect(signatures.stats().replaced).toBeGreaterThanOrEqual(1);
    expect(errors[0]?.message).toMatch(/runSignatureWorkerIfWorker/);
  });

  it('leaves the main thread alone: runSignatureWorkerIfWorker answers false there', () => {
    expect(runSignatureWorkerIfWorker()).toBe(false);
  });

  it('answers waiting requests login_busy on close, and close is idempotent', async () => {
    const signatures = pool({ size: 1 });
    const { input } = await signedLogin();
    const pending = signatures.verify(input, testPolicy());
    const first = signatures.close();
    expect(signatures.close()).toBe(first);
    await first;
    await signatures.close();
    expect(await pending).toMatchObject({ ok: false, code: 'login_busy' });
    expect(await signatures.verify(input, testPolicy())).toMatchObject({ ok: false, code: 'login_busy' });
    expect(signatures.stats()).toEqual({ workers: 0, busy: 0, queued: 0, replaced: 0 });
  });
});
