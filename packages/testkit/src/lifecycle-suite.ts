/**
 * The standard integration checks every daemon and timer job must pass (foundation issue): it
 * really starts, answers its health endpoint, serves /metrics labelled with its name, exits 0 on
 * SIGTERM within 5 s, logs JSON lines carrying its service name, and refuses bad configuration
 * with exit 78 naming every bad variable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPrefix, startDaemon, waitForHealthy } from './daemon.js';
import { startHangServer } from './hang-server.js';
import { freePort } from './ports.js';
import type { Started } from './process.js';
import { startRedis, type TestRedis } from './redis-server.js';

const STOP_LIMIT_MS = 5_000;
type EnvBuilder = (redis: TestRedis) => Record<string, string> | Promise<Record<string, string>>;

async function expectGracefulStop(daemon: Started, service: string): Promise<void> {
  const signalledAt = Date.now();
  const exit = await daemon.stop('SIGTERM', 10_000);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(Date.now() - signalledAt).toBeLessThan(STOP_LIMIT_MS);
  const logs = daemon.lines.map((line) => JSON.parse(line) as { service?: string; msg?: string });
  expect(logs.every((entry) => entry.service === service)).toBe(true);
}

async function expectBadConfigRefused(
  service: string,
  env: Record<string, string>,
  named: string[],
  args: string[] = [],
): Promise<void> {
  const daemon = startDaemon(service, env, args);
  const exit = await daemon.exited;
  expect(exit.code).toBe(78);
  const stderr = daemon.stderr.join('\n');
  for (const variable of named) expect(stderr).toContain(variable);
}

/**
 * For long-running daemons. `portVariable` is the variable of the port serving /healthz.
 * `exclusivePort`: the daemon serves its clients on that port (uWS), so a second instance started
 * on it must refuse to start rather than share it (issue 20).
 */
export function describeDaemonLifecycle(spec: {
  service: string;
  portVariable: string;
  env?: EnvBuilder;
  /** argv of a binary with several modes (the archiver's `restores`). */
  args?: string[];
  exclusivePort?: boolean;
}): void {
  const { service, portVariable } = spec;
  const args = spec.args ?? [];
  describe(`${[service, ...args].join(' ')} lifecycle`, () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis.stop());

    it('starts, answers /healthz and /metrics, and exits 0 on SIGTERM within 5 s', async () => {
      const port = await freePort();
      const extra = (await spec.env?.(redis)) ?? {};
      const daemon = startDaemon(
        service,
        {
          REDIS_URL: redis.url,
          TAP_KEY_PREFIX: freshPrefix(),
          [portVariable]: String(port),
          ...extra,
        },
        args,
      );
      try {
        const health = await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
        expect(health).toMatchObject({ ok: true, service, redis: 'ready' });
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain(`process_resident_memory_bytes{service="${service}"}`);
        await expectGracefulStop(daemon, service);
        expect(daemon.lines.some((line) => line.includes('"daemon.stopped"'))).toBe(true);
      } finally {
        await daemon.stop('SIGKILL');
      }
    });

    if (spec.exclusivePort) {
      it('refuses to start, exit 1 with a clear log, when another instance holds its port', async () => {
        const port = await freePort();
        const env = async () => ({
          REDIS_URL: redis.url,
          TAP_KEY_PREFIX: freshPrefix(),
          [portVariable]: String(port),
          ...((await spec.env?.(redis)) ?? {}),
        });
        const first = startDaemon(service, await env(), args);
        try {
          await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
          const second = startDaemon(service, await env(), args);
          expect(await second.exited).toEqual({ code: 1, signal: null });
          const failed = second.lines.find((line) => line.includes('"daemon.start_failed"')) ?? '';
          expect(failed).toContain('PortInUseError');
          expect(failed).toContain(`:${port}`);
          // The first instance keeps serving.
          expect(await waitForHealthy(`http://127.0.0.1:${port}/healthz`)).toMatchObject({ ok: true });
        } finally {
          await first.stop('SIGKILL');
        }
      });
    }

    it('exits 78 and names every bad variable', async () => {
      await expectBadConfigRefused(
        service,
        { REDIS_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'loud', [portVariable]: '70000' },
        ['REDIS_URL', 'LOG_LEVEL', portVariable],
        args,
      );
    });
  });
}

/**
 * For timer jobs. `env` builds a run that succeeds; `hangingEnv` points the job at a dependency that
 * accepts connections and never answers, so the run is in progress when SIGTERM arrives.
 */
export function describeJobLifecycle(spec: {
  service: string;
  args?: string[];
  env: (redis: TestRedis, textfileDir: string) => Promise<Record<string, string>>;
  hangingEnv: (hangUrl: (scheme: string) => string) => Record<string, string>;
  successMetric: string;
  textfile: string;
  badEnv: Record<string, string>;
}): void {
  const { service } = spec;
  const args = spec.args ?? [];
  describe(`${spec.textfile.replace('.prom', '')} job lifecycle`, () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis.stop());

    it('runs one pass, exits 0 and writes its success gauge to the textfile directory', async () => {
      const { mkdtemp, readFile } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const textfileDir = await mkdtemp(join(tmpdir(), 'tap-textfile-'));
      const job = startDaemon(
        service,
        { ...(await spec.env(redis, textfileDir)), TEXTFILE_DIR: textfileDir },
        args,
      );
      expect(await job.exited).toEqual({ code: 0, signal: null });
      const textfile = await readFile(join(textfileDir, spec.textfile), 'utf8');
      expect(textfile).toMatch(new RegExp(`^${spec.successMetric}\\{service="[^"]+"\\} \\d{10}`, 'm'));
    });

    it('answers /healthz while a pass runs and exits 0 on SIGTERM within 5 s', async () => {
      const hang = await startHangServer();
      const port = await freePort();
      const job = startDaemon(
        service,
        { ...spec.hangingEnv(hang.url), OPS_PORT: String(port), TEXTFILE_DIR: '' },
        args,
      );
      try {
        expect(await waitForHealthy(`http://127.0.0.1:${port}/healthz`)).toMatchObject({
          ok: true,
          phase: 'running',
        });
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain(spec.successMetric);
        await expectGracefulStop(job, service);
        expect(job.lines.some((line) => line.includes('"job.interrupted"'))).toBe(true);
      } finally {
        await job.stop('SIGKILL');
        await hang.close();
      }
    });

    it('exits 78 and names every bad variable', async () => {
      await expectBadConfigRefused(service, spec.badEnv, Object.keys(spec.badEnv), args);
    });
  });
}
