import { describe, expect, it } from 'vitest';
import { aResourceReport } from '../testing/fixtures.js';
import { type AttackBlock, attackCostTable } from './attack-costs.js';

/** A block whose processes use `cpu` % of a core each; the machine at `machinePct`. */
function aBlock(
  condition: string,
  cpu: Record<string, number>,
  options: { attackPerS?: number; machinePct?: number; readerPct?: number } = {},
): AttackBlock {
  const resources = aResourceReport(
    Object.fromEntries(Object.entries(cpu).map(([name, cpuAvgPct]) => [name, { cpuAvgPct }])),
  );
  resources.machine.cpuAvgPct = options.machinePct ?? 100;
  return {
    round: 1,
    condition,
    resources,
    threads: [
      { name: 'ingest-api', cpuPct: 10, waitPct: 1 },
      { name: 'ingest-api reader thread', cpuPct: options.readerPct ?? 0, waitPct: 0 },
    ],
    ...(options.attackPerS === undefined ? {} : { attackPerS: options.attackPerS }),
  };
}

const base = { 'ingest-api': 20, redis: 10, 'ws-gateway': 5, batcher: 15, 'attacker (client side)': 0 };
const attacks = [{ condition: 'hostile resumes', unit: 'resume attempt' }];

describe('attackCostTable', () => {
  it('shows the server side’s extra CPU per attack unit apart from the attacker’s own client', () => {
    const table = attackCostTable(attacks, [
      aBlock('baseline', base),
      // 1,000 attempts/s: the gateway +15 % of a core (150 µs each), Redis +1 % (10 µs); the attacker 30 % (300 µs).
      aBlock(
        'hostile resumes',
        { ...base, 'ws-gateway': 20, redis: 11, 'attacker (client side)': 30 },
        { attackPerS: 1_000, readerPct: 0 },
      ),
    ]);
    const row = Object.fromEntries(table.columns.map((column, i) => [column, table.rows[0]?.[i]]));
    expect(row).toMatchObject({
      attack: 'hostile resumes (µs per resume attempt)',
      'ws-gateway': 150,
      Redis: 10,
      'ingest-api': 0,
      'ingest-api main thread': 0,
      'ingest-api reader thread': 0,
      'stack total (ingest-api + Redis + ws-gateway + batcher)': 160,
      'attacker’s own client (not the stack)': 300,
    });
  });

  it('does not count the idle-priority attacker toward a saturated machine, but does count the stack', () => {
    const blocks = (machinePct: number) => [
      aBlock('baseline', base, { machinePct: 150 }),
      aBlock(
        'hostile resumes',
        { ...base, 'ws-gateway': 20, 'attacker (client side)': 60 },
        { attackPerS: 1_000, machinePct },
      ),
    ];
    // 230 % with 60 of it the attacker: (150 + 170) / 2 = 160 < 190, read.
    expect(attackCostTable(attacks, blocks(230)).rows[0]?.[1]).toBe(0);
    // 290 % (230 without the attacker): (150 + 230) / 2 = 190, left out.
    expect(
      attackCostTable(attacks, blocks(290))
        .rows[0]?.slice(1)
        .every((v) => v === null),
    ).toBe(true);
  });
});
