/**
 * A child process the harness started (redis-server, a daemon, a ceiling server, WebSocket
 * clients): output goes to a log file (only the last lines stay in memory), and it is stopped by
 * its own PID — SIGTERM, then SIGKILL after a grace period. Nothing else is ever signalled.
 * A daemon under `node --cpu-prof` writes its profile only on a normal exit, after its own stop
 * steps, so profiled children get a longer grace (`stopGraceMs`) before SIGKILL would lose it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of stdout and stderr, for error messages. */
  tail(): string;
  /** Resolves with the first output line matching, rejects on timeout or exit. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stopMs: number }>;
}

export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    logPath: string;
    stdin?: 'ignore' | 'pipe';
    /** SIGTERM → SIGKILL grace when `stop()` is called without one. */
    stopGraceMs?: number;
  },
): Child {
  mkdirSync(dirname(options.logPath), { recursive: true });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
    for (const waiter of waiters) waiter(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      log.write(chunk);
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      log.end();
      resolve({ code, signal });
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid: child.pid,
    process: child,
    exited,
    tail: () => lines.join('\n'),
    waitForLine(match, timeoutMs) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (line: string) => {
          if (!match(line)) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`${name}: no expected output within ${timeoutMs} ms; last lines:\n${lines.join('\n')}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          waiters.delete(waiter);
          clearTimeout(timer);
        };
        waiters.add(waiter);
        void exited.then((exit) => {
          if (!waiters.has(waiter)) return;
          cleanup();
          reject(new Error(`${name} exited (${exit.code ?? exit.signal}); last lines:\n${lines.join('\n')}`));
        });
      });
    },
    async stop(graceMs = options.stopGraceMs ?? STOP_GRACE_MS) {
      const began = Date.now();
      if (!running()) return { ...(await exited), stopMs: 0 };
      child.kill('SIGTERM');
      const killer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, graceMs);
      const result = await exited;
      clearTimeout(killer);
      return { ...result, stopMs: Date.now() - began };
    },
  };
}
