/**
 * Child processes the test kit starts and stops by PID: servers (redis-server, s3rver) and the
 * daemons under test. Output is kept line by line so a test can wait for a log event.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Started {
  pid: number;
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line matching, or rejects after timeoutMs. */
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
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Started {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  splitLines(child.stdout, (line) => {
    lines.push(line);
    for (const waiter of waiters) {
      if (waiter.match(line)) waiter.resolve(line);
    }
  });
  splitLines(child.stderr, (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  return {
    pid: child.pid,
    child,
    lines,
    stderr,
    exited,
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
          () =>
            settle(
              new Error(`${command}: no matching line in ${timeoutMs} ms; stderr: ${stderr.join('\n')}`),
            ),
          timeoutMs,
        );
        waiters.add(waiter);
        void exited.then(() => {
          if (waiters.has(waiter)) settle(new Error(`${command} exited first; stderr: ${stderr.join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
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
