/**
 * A real redis-server for a test: infra/redis.conf (AOF + RDB, noeviction, 512 MB) on 127.0.0.1, a
 * random port and a temp data dir, stopped by PID. `crash()` is kill -9; `restart()` starts it again
 * on the same port and data dir, which is how durability tests check what survives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { type Started, startProcess } from './process.js';
import { REDIS_CONF } from './repo.js';

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  readonly pid: number;
  crash(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `dir`: start on an existing data dir (e.g. RDB/AOF files restored from a backup); default a fresh temp dir. */
export async function startRedis(options: { extraArgs?: string[]; dir?: string } = {}): Promise<TestRedis> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tap-redis-')));
  const port = await freePort();
  const args = [
    REDIS_CONF,
    '--port',
    String(port),
    '--dir',
    dir,
    '--daemonize',
    'no',
    ...(options.extraArgs ?? []),
  ];
  const launch = async () => {
    const proc = startProcess('redis-server', args);
    await proc.waitForLine((line) => line.includes('Ready to accept connections'), 15_000);
    return proc;
  };
  let proc: Started = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return proc.pid;
    },
    async crash() {
      await proc.stop('SIGKILL');
    },
    async restart() {
      await proc.stop('SIGKILL');
      proc = await launch();
    },
    async stop() {
      await proc.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
