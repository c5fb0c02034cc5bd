/**
 * Child processes the test kit starts and stops by PID: servers (redis-server, s3rver, nginx), the
 * daemons under test, and the benchmark harness's daemons, servers and client processes. Output is
 * kept line by line so a caller can wait for a log event. Nothing but the started PID is ever
 * signalled.
 *
 * Tests keep every line (they assert on them). A long benchmark run would hold megabytes of daemon
 * logs that way, so it sets `linesMax` (only the last lines stay in memory) and `logPath` (all of
 * the output goes to a file instead).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

const STOP_GRACE_MS = 5_000;
const TAIL_LINES = 20;

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How error messages name it (default: the command). */
  name?: string;
  /** Appends stdout and stderr to this file as they arrive (its directory is created). */
  logPath?: string;
  /** 'pipe' lets the caller write commands to `child.stdin`. Default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
  /** Keep only the last N lines of stdout and of stderr in memory. Default: every line. */
  linesMax?: number;
  /** SIGTERM → SIGKILL grace when `stop()` is called without one. Default 5 s. */
  stopGraceMs?: number;
  /** Runs it as this uid/gid (the test process must be root): see `readOnlySegments`. */
  user?: { uid: number; gid: number };
}

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True until the process has exited. */
  running(): boolean;
  /** The last lines of stdout and of stderr, for error messages. */
  tail(): string;
  /** Resolves with the first stdout line matching; rejects after timeoutMs or when the process exits. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM (or the given signal), then SIGKILL after graceMs; resolves when the process is gone. */
  stop(
    signal?: NodeJS.Signals,
    graceMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Started {
  const name = options.name ?? command;
  const log = options.logPath ? openLog(options.logPath) : undefined;
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    ...options.user,
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const lines: string[] = [];
  const stderr: string[] = [];
  const keep = (kept: string[], line: string) => {
    kept.push(line);
    if (options.linesMax !== undefined && kept.length > options.linesMax) kept.shift();
  };
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  splitLines(child.stdout, log, (line) => {
    keep(lines, line);
    for (const waiter of waiters) {
      if (waiter.match(line)) waiter.resolve(line);
    }
  });
  splitLines(child.stderr, log, (line) => keep(stderr, line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // 'close' comes after the last output chunk ('exit' may come before it).
  child.once('close', () => log?.end());
  const running = () => child.exitCode === null && child.signalCode === null;
  const tail = () =>
    [...lines.slice(-TAIL_LINES), ...stderr.slice(-TAIL_LINES).map((line) => `stderr: ${line}`)].join('\n');

  return {
    name,
    pid: child.pid,
    child,
    lines,
    stderr,
    exited,
    running,
    tail,
    waitForLine(match, timeoutMs = 10_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const settle = (err: Error | undefined, line = '') => {
          waiters.delete(waiter);
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(line);
        };
        const waiter = { match, resolve: (line: string) => settle(undefined, line) };
        const timer = setTimeout(
          () => settle(new Error(`${name}: no matching line in ${timeoutMs} ms; last lines:\n${tail()}`)),
          timeoutMs,
        );
        waiters.add(waiter);
        void exited.then((exit) => {
          if (waiters.has(waiter))
            settle(new Error(`${name} exited (${exit.code ?? exit.signal}) first; last lines:\n${tail()}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', graceMs = options.stopGraceMs ?? STOP_GRACE_MS) {
      if (!running()) return exited;
      child.kill(signal);
      const timer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

function openLog(path: string): WriteStream {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: 'a' });
}

function splitLines(
  stream: NodeJS.ReadableStream | null,
  log: WriteStream | undefined,
  onLine: (line: string) => void,
): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    log?.write(chunk);
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
  });
}
