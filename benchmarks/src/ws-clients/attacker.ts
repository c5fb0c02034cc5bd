/**
 * The attacker of bet-under-abuse as a process of its own, at idle CPU priority: the history flood
 * and the hostile resumers run in attacker-process.ts, which this module starts and drives.
 *
 * Why a process, and why SCHED_IDLE: a real attacker's clients run on other machines and take no
 * CPU from the stack; here they share the stack's two cores. On the quiet host the attacker's
 * client side (then the harness's main thread at nice 19) took ~32 % of a core during the hostile
 * blocks — a nice-19 thread still gets a slice of a busy core (weight 15 against 1,024) and is not
 * always preempted at once when a daemon's thread wakes. Under SCHED_IDLE (`chrt --idle 0`,
 * allowed unprivileged: a process may lower its own policy) a thread runs only on a core no normal
 * thread wants, and a waking daemon thread preempts it immediately. As its own process its CPU is
 * also read apart from the harness's (the resource sampler's `attacker (client side)`), so the
 * tables show what the attacker spent and, separately, what the daemons spent answering it.
 * Where `chrt --idle` is refused the process runs under `nice -n 19`; `describe()` says which.
 *
 * What SCHED_IDLE cannot move off the stack's cores: the kernel's loopback work. A packet the
 * attacker sends is received (TCP, softirq) in the attacker's own context — that server-side
 * kernel work is charged to the attacker at idle priority — and the daemons' answers are received
 * in the daemons' context, which an off-host attacker's NIC would spare them. The two roughly
 * cancel; neither is hidden (the whole machine's CPU is reported beside each process).
 *
 * Scheduling classes only rank threads within one autogroup (sched(7), `kernel.sched_autogroup_enabled`):
 * the attacker is started in the harness's session, like the daemons, and `describe()` says whether
 * it shares their autogroup (if not, SCHED_IDLE ranks it only against itself).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readScheduling, SCHED_IDLE } from '@tap/testkit/standalone';
import type { LoadRunResult, OpenLoopOptions } from '../load/open-loop.js';
import type { HostileOptions, HostileReport } from './hostile-resumers.js';

const ENTRY = fileURLToPath(new URL('../load/worker-entry.mjs', import.meta.url));
const MAIN = new URL('./attacker-process.ts', import.meta.url).href;
const READY_TIMEOUT_MS = 30_000;

/** The history flood's options, without the callback (they cross a process boundary). */
export type FloodOptions = Omit<OpenLoopOptions, 'onReady'>;

export type ToAttacker =
  | { id: number; type: 'hostile-start'; options: HostileOptions }
  | { id: number; type: 'hostile-stop' }
  | { id: number; type: 'history'; options: FloodOptions };

export type FromAttacker =
  | { type: 'ready' }
  | { id: number; type: 'ok' }
  | { id: number; type: 'hostile'; report: HostileReport }
  | { id: number; type: 'history'; result: LoadRunResult }
  | { id: number; type: 'failed'; message: string };

export interface Attacker {
  pid: number;
  /** The priority it runs at and whether it shares the daemons' autogroup, for the notes. */
  describe(daemonPid: number): string;
  /** Starts the hostile resumers; `stop` ends them and reports. */
  hostile(options: HostileOptions): Promise<{ stop(): Promise<HostileReport> }>;
  /** One history flood, start to end. */
  history(options: FloodOptions): Promise<LoadRunResult>;
  close(): Promise<void>;
}

export async function startAttacker(): Promise<Attacker> {
  const prefix = idlePrefix();
  const [command, ...args] = [...prefix, process.execPath, ENTRY, MAIN];
  const child = spawn(command as string, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (m: FromAttacker) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`attacker process exited (${code ?? signal})`));
    pending.clear();
  });
  await readyOf(child);
  child.on('message', (message: FromAttacker) => {
    if (message.type === 'ready') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'failed') waiter?.reject(new Error(`attacker: ${message.message}`));
    else waiter?.resolve(message);
  });
  const ask = <T extends FromAttacker['type']>(request: DistributiveOmit<ToAttacker, 'id'>, expect: T) =>
    new Promise<Extract<FromAttacker, { type: T }>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, {
        resolve: (m) =>
          m.type === expect
            ? resolve(m as Extract<FromAttacker, { type: T }>)
            : reject(new Error(`attacker answered ${m.type}, not ${expect}`)),
        reject,
      });
      child.send({ ...request, id } as ToAttacker);
    });
  const pid = child.pid as number;
  return {
    pid,
    describe: (daemonPid) => describeAttacker(pid, prefix, daemonPid),
    async hostile(options) {
      await ask({ type: 'hostile-start', options }, 'ok');
      return { stop: async () => (await ask({ type: 'hostile-stop' }, 'hostile')).report };
    },
    history: async (options) => (await ask({ type: 'history', options }, 'history')).result,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `chrt --idle 0` where this host allows it (tried once), else `nice -n 19`. */
function idlePrefix(): string[] {
  const idle = ['chrt', '--idle', '0'];
  const tried = spawnSync(idle[0] as string, [...idle.slice(1), 'true']);
  return tried.status === 0 ? idle : ['nice', '-n', '19'];
}

function readyOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('attacker process not ready in time')), READY_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`attacker process exited before ready (${code})`)));
    child.once('message', (message: FromAttacker) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve();
      else reject(new Error(`attacker process sent ${message.type} before ready`));
    });
  });
}

/** What the kernel says the attacker runs at, and whether the scheduler ranks it against the daemons. */
export function describeAttacker(pid: number, prefix: readonly string[], daemonPid: number): string {
  const scheduling = readScheduling(pid);
  const policy =
    scheduling === null
      ? 'unknown (exited)'
      : scheduling.policy === SCHED_IDLE
        ? 'SCHED_IDLE'
        : `policy ${scheduling.policy}, nice ${scheduling.nice}`;
  const group = (p: number) => readOrNull(`/proc/${p}/autogroup`)?.split(' ')[0] ?? null;
  const mine = group(pid);
  const sharing =
    mine === null
      ? 'autogroups off or unreadable'
      : mine === group(daemonPid)
        ? `in the daemons' autogroup (${mine.replace('/', '')}), so the policy ranks it below them`
        : `in autogroup ${mine.replace('/', '')}, not the daemons' — the policy then ranks it only within its own group, and the two groups share the cores equally: the attack's client side competes with the stack`;
  return `Attacker (client side): its own process (pid ${pid}), started as \`${prefix.join(' ')} node …\` — ${policy}, ${sharing}.`;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
