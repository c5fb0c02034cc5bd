/**
 * Where a scenario's CPU went under each of its conditions (bet-under-abuse: baseline, history
 * flood, hostile resumes): the median over rounds of every daemon's, Redis's and the harness's CPU
 * over the bets' measured window, the whole machine's, and the commands Redis ran per bet sent
 * (its own INFO commandstats) — so a condition's extra latency can be traced to the process, and
 * the Redis commands, that paid for it.
 */

import type { ResultTable } from '../scenario.js';
import { type ThreadShare, threadLabel } from '../stack/main-thread-share.js';
import type { ResourceReport } from '../stack/resource-sampler.js';
import { medianOf } from '../stats/median.js';

/** The processes shown, in this order (the resource sampler's names). */
const PROCESSES = ['ingest-api', 'ws-gateway', 'redis', 'batcher', 'load generator (harness)'] as const;
/** Shown after them when a run measured it: an attacker's own client process (bet-under-abuse). */
const ATTACKER = 'attacker (client side)';

export interface ConditionRun {
  condition: string;
  /** Bets sent in the run (Redis's commands are divided by them). */
  sent: number;
  resources?: ResourceReport;
  /** Main threads of the bet path over the run (main-thread-share.ts). */
  threads?: ThreadShare[];
}

/** One table, or none when no run carries its resources (results recorded before they were kept). */
export function conditionCostTable(
  conditions: readonly string[],
  runs: readonly ConditionRun[],
  /** What one entry of `runs` is, for the title: a run of its own per round, or a block of one run. */
  over: 'rounds' | 'blocks' = 'rounds',
): ResultTable[] {
  if (!runs.some((r) => r.resources)) return [];
  const threadNames = [...new Set(runs.flatMap((r) => (r.threads ?? []).map((t) => t.name)))];
  // Shown where a scenario samples them: nginx (the edge some attacks go through), the attacker.
  const sampled = (name: string) => runs.some((r) => r.resources?.processes.some((p) => p.name === name));
  const processes: string[] = [...PROCESSES, ...['nginx', ATTACKER].filter(sampled)];
  const rows = conditions.map((condition) => {
    const mine = runs.filter((r) => r.condition === condition && r.resources);
    const cpu = (name: string) =>
      round1(medianOf(mine.map((r) => r.resources?.processes.find((p) => p.name === name)?.cpuAvgPct ?? 0)));
    const perBet = (command?: string) =>
      round2(medianOf(mine.map((r) => redisCalls(r.resources, command) / Math.max(1, r.sent))));
    const thread = (name: string) => {
      const shares = mine.map((r) => r.threads?.find((t) => t.name === name) ?? { cpuPct: 0, waitPct: 0 });
      return `${round1(medianOf(shares.map((t) => t.cpuPct)))} / ${round1(medianOf(shares.map((t) => t.waitPct)))}`;
    };
    return [
      condition,
      ...processes.map(cpu),
      round1(medianOf(mine.map((r) => r.resources?.machine.cpuAvgPct ?? 0))),
      ...threadNames.map(thread),
      perBet(),
      perBet('get'),
    ];
  });
  return [
    {
      title: `Where the CPU went, by condition (median over ${over})`,
      columns: [
        'condition',
        ...processes.map((name) => `${name} CPU %`),
        'whole machine CPU %',
        ...threadNames.map((name) => `${threadLabel(name)} on CPU / waiting for one %`),
        'Redis commands per bet sent',
        'of them GET',
      ],
      rows,
      notes: [
        'CPU: 100 % = one core, averaged over the bets’ measured window (/proc/<pid>/stat). The attacker’s client side, ' +
          'where a scenario has one, is its own process at idle priority (SCHED_IDLE): what it spent is its column, not ' +
          'the harness’s, and what the daemons spent answering it stays in theirs. Redis commands: INFO commandstats over the whole run (warm-up and ' +
          'drain included; over the block’s measured seconds for blocks) divided by the bets sent. GET: ws-gateway’s session lookups, plus ingest-api’s own (its market ' +
          'refresh and session-cache misses), which every condition shares.',
        ...(threadNames.length
          ? [
              'Thread on CPU / waiting for one: /proc/<pid>/task/<tid>/schedstat over the whole run (block), % of it — the ' +
                'wait is time the thread was runnable while other threads held both cores, which a bet arriving then pays ' +
                'before it is even read (the attack’s CPU contention on the bet path, apart from the generator’s).',
            ]
          : []),
      ],
    },
  ];
}

/** Calls of one command (all commands without one) in a run's Redis accounting. */
function redisCalls(resources: ResourceReport | undefined, command?: string): number {
  return (resources?.redisCommands ?? [])
    .filter((c) => command === undefined || c.command === command)
    .reduce((sum, c) => sum + c.calls, 0);
}

const round2 = (value: number) => Math.round(value * 100) / 100;
/** A median of an even count averages two one-decimal figures: shown to one decimal again. */
const round1 = (value: number) => Math.round(value * 10) / 10;
