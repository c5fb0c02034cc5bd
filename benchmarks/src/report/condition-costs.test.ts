import { describe, expect, it } from 'vitest';
import { aResourceReport } from '../testing/fixtures.js';
import { conditionCostTable } from './condition-costs.js';

const resources = (gatewayPct: number, gets: number) =>
  aResourceReport(
    { 'ingest-api': { cpuAvgPct: 40 }, 'ws-gateway': { cpuAvgPct: gatewayPct }, redis: { cpuAvgPct: 20 } },
    {
      redisCommands: [
        { command: 'evalsha', calls: 1_000, usec: 9_000 },
        { command: 'get', calls: gets, usec: 100 },
      ],
    },
  );

describe('conditionCostTable', () => {
  it('shows each condition’s median CPU by process and Redis commands per bet sent', () => {
    const [table] = conditionCostTable(
      ['baseline', 'hostile'],
      [
        { condition: 'baseline', sent: 1_000, resources: resources(5, 100) },
        { condition: 'hostile', sent: 1_000, resources: resources(30, 2_000) },
        { condition: 'hostile', sent: 1_000, resources: resources(50, 4_000) },
      ],
    );
    expect(table?.rows).toEqual([
      // ingest-api, ws-gateway, redis, batcher (absent: 0), harness (absent: 0), machine, commands, GETs
      ['baseline', 40, 5, 20, 0, 0, 90, 1.1, 0.1],
      ['hostile', 40, 40, 20, 0, 0, 90, 4, 3],
    ]);
  });

  it('adds each main thread’s time on a CPU and waiting for one, when the runs carry them', () => {
    const threads = (waitPct: number) => [{ name: 'ingest-api', cpuPct: 20, waitPct }];
    const [table] = conditionCostTable(
      ['baseline', 'history'],
      [
        { condition: 'baseline', sent: 1_000, resources: resources(5, 100), threads: threads(1) },
        { condition: 'history', sent: 1_000, resources: resources(5, 100), threads: threads(4) },
      ],
    );
    expect(table?.columns).toContain('ingest-api main thread on CPU / waiting for one %');
    expect(table?.rows.map((row) => row[7])).toEqual(['20 / 1', '20 / 4']);
  });

  it('adds the attacker’s own process as a column of its own when the runs measured it, and a named thread by its name', () => {
    const withAttacker = (pct: number) =>
      aResourceReport({ 'ingest-api': { cpuAvgPct: 40 }, 'attacker (client side)': { cpuAvgPct: pct } });
    const [table] = conditionCostTable(
      ['baseline', 'hostile'],
      [
        { condition: 'baseline', sent: 1_000, resources: withAttacker(0.5), threads: [] },
        {
          condition: 'hostile',
          sent: 1_000,
          resources: withAttacker(30),
          threads: [{ name: 'ingest-api reader thread', cpuPct: 3, waitPct: 1 }],
        },
      ],
    );
    expect(table?.columns.slice(1, 7)).toEqual([
      'ingest-api CPU %',
      'ws-gateway CPU %',
      'redis CPU %',
      'batcher CPU %',
      'load generator (harness) CPU %',
      'attacker (client side) CPU %',
    ]);
    expect(table?.columns).toContain('ingest-api reader thread on CPU / waiting for one %');
    expect(table?.rows.map((row) => row[6])).toEqual([0.5, 30]);
  });

  it('is left out for runs recorded without their resources', () => {
    expect(conditionCostTable(['baseline'], [{ condition: 'baseline', sent: 10 }])).toEqual([]);
  });
});
