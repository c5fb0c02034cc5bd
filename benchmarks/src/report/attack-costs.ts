/**
 * What one unit of an attack costs the stack (bet-under-abuse): a history page, a hostile resume
 * attempt — the CPU of each process and of the bet path's main threads in the attack's blocks
 * minus the same round's baseline blocks, divided by the attack's achieved rate. CPU time is what a
 * saturated host distorts least: where the latency percentiles of a busy run say nothing about a
 * 1 ms effect, the microseconds an attack adds per request still show where it lands and whether a
 * change made it cheaper. The median over rounds.
 */
import type { ResultTable } from '../scenario.js';
import type { ThreadShare } from '../stack/main-thread-share.js';
import type { ResourceReport } from '../stack/resource-sampler.js';
import { medianOf } from '../stats/median.js';

export interface AttackBlock {
  round: number;
  condition: string;
  resources: ResourceReport;
  threads: ThreadShare[];
  /** The attack's achieved rate in this block (pages or attempts per second); absent for a baseline. */
  attackPerS?: number;
}

/** Whole-machine CPU (100 = one core) from which a round's blocks count as saturated. */
const SATURATED_MACHINE_PCT = 190;
/** The attacker's own process (its client side), as the resource sampler names it. */
export const ATTACKER_SOURCE = 'attacker (client side)';
/** Columns: [label, what is read: a process (the resource sampler's name) or a thread (its ThreadShare name)]. */
const MEASURES: readonly [string, { process: string } | { thread: string }][] = [
  ['ingest-api', { process: 'ingest-api' }],
  ['ingest-api main thread', { thread: 'ingest-api' }],
  ['ingest-api reader thread', { thread: 'ingest-api reader thread' }],
  ['Redis', { process: 'redis' }],
  ['Redis main thread', { thread: 'redis' }],
  ['ws-gateway', { process: 'ws-gateway' }],
  ['ws-gateway main thread', { thread: 'ws-gateway' }],
  ['stack total (ingest-api + Redis + ws-gateway + batcher)', { process: 'stack' }],
  ['attacker’s own client (not the stack)', { process: ATTACKER_SOURCE }],
];
/** The daemons whose CPU sums to the stack total (the processes an off-host attacker costs). */
const STACK = ['ingest-api', 'redis', 'ws-gateway', 'batcher'];

export function attackCostTable(
  attacks: readonly { condition: string; unit: string }[],
  blocks: readonly AttackBlock[],
): ResultTable {
  const rows = attacks.map(({ condition, unit }) => {
    const rounds = [...new Set(blocks.filter((b) => b.condition === condition).map((b) => b.round))];
    const perUnit = (source: (typeof MEASURES)[number][1]) =>
      nullIfNaN(
        medianOf(
          rounds.map((round) => {
            const mine = blocks.filter((b) => b.round === round && b.condition === condition);
            const base = blocks.filter((b) => b.round === round && b.condition === 'baseline');
            // A saturated machine gives every process less than it asks: differences then read noise.
            if (mean([...mine, ...base].map(busyBesideAttacker)) >= SATURATED_MACHINE_PCT) return Number.NaN;
            const rate = mean(mine.map((b) => b.attackPerS ?? 0));
            const extraPct =
              mean(mine.map((b) => cpuPct(b, source))) - mean(base.map((b) => cpuPct(b, source)));
            // % of one core → µs of CPU per second, over the units per second.
            return rate > 0 ? (extraPct * 10_000) / rate : Number.NaN;
          }),
        ),
      );
    return [`${condition} (µs per ${unit})`, ...MEASURES.map(([, source]) => perUnit(source))];
  });
  return {
    title:
      'What one unit of each attack costs, CPU µs (its blocks minus the same round’s baseline blocks, median over rounds)',
    columns: ['attack', ...MEASURES.map(([label]) => label)],
    rows,
    notes: [
      'Extra CPU of the process (or thread: /proc/<pid>/task/<tid>/schedstat; ingest-api’s reader found by the name it ' +
        'gives itself, tap-reader) in the attack’s blocks over the ' +
        'baseline blocks of the same round, as µs per second, divided by the attack’s achieved rate in those blocks. CPU ' +
        'time, not latency: a busy host distorts it least. The stack total is what the attack costs the server side ' +
        '(ingest-api, Redis, ws-gateway and the batcher together); the last column is what the attacker’s own client ' +
        'spent (its process, at idle priority: on a real deployment another machine’s CPU). Both are kept apart so that ' +
        'moving the attacker off the stack’s priority hides none of the server’s cost. Small values are within the noise of a block’s CPU reading ' +
        '(±1 % of a core is ±200 µs a page at 50 pages/s, ±10 µs an attempt at ~1,000/s). A round whose blocks kept the ' +
        `whole machine at ≥ ${SATURATED_MACHINE_PCT / 100} cores (the attacker’s idle-priority process not counted) is left out (every process then gets less than it asks, ` +
        'and the differences read noise); “—” when every round was.',
    ],
  };
}

/**
 * The whole machine's CPU without the attacker's idle-priority process: that one takes only what
 * nobody else wants, so a machine it fills is not a machine that starves the stack.
 */
function busyBesideAttacker(block: AttackBlock): number {
  const attacker = block.resources.processes.find((p) => p.name === ATTACKER_SOURCE)?.cpuAvgPct ?? 0;
  return block.resources.machine.cpuAvgPct - attacker;
}

function cpuPct(block: AttackBlock, source: { process: string } | { thread: string }): number {
  if ('thread' in source) return block.threads.find((t) => t.name === source.thread)?.cpuPct ?? Number.NaN;
  const of = (name: string) =>
    block.resources.processes.find((p) => p.name === name)?.cpuAvgPct ?? Number.NaN;
  return source.process === 'stack' ? STACK.reduce((sum, name) => sum + of(name), 0) : of(source.process);
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
/** One decimal; null (“—”) when no round could be read. */
const nullIfNaN = (value: number) => (Number.isNaN(value) ? null : Math.round(value * 10) / 10);
