import { describe, expect, it } from 'vitest';
import type { StormFigures } from '../src/ws-storm.js';
import { stormTable } from './chaos-ws-storm.js';

const figures = (overrides: Partial<StormFigures> = {}): StormFigures => ({
  clients: 1_000,
  connected: 1_000,
  connectMs: 2_500,
  resubscribedMs: 8_754,
  resumed: 1_000,
  replays: { replayed: 1_095, events_trimmed: 3 },
  resyncsSeen: 3,
  rssBeforeMb: 88,
  rssPeakMb: 89,
  rssAfterMb: 88,
  slowReaders: 20,
  slowDropped: 20,
  slowDroppedMs: 9_400,
  floodEvents: 30_000,
  floodSeen: 30_000,
  betP99Ms: 280.5,
  betMaxMs: 320,
  stormP99Ms: 306.2,
  clientFdLimit: '20000',
  ...overrides,
});

describe('stormTable', () => {
  it('shows resumes answered apart from those ending in resync, by reason', () => {
    const [row] = stormTable(figures()).rows;
    expect(row).toEqual([
      '1000 of 1000',
      2_500,
      8_754,
      1_095,
      'events_trimmed × 3',
      '88 / 89 / 88',
      '20 of 20 (9400)',
      '30000 of 30000',
      306.2,
      '280.5 / 320',
    ]);
  });

  it("states the gateway's memory bound from its config and the client fd limit of the run", () => {
    const table = stormTable(figures({ replays: {} }));
    const notes = (table.notes ?? []).join('\n');
    expect(notes).toContain('= 19.5 GiB');
    expect(notes).toContain('ulimit -n (20000 in this run)');
    expect(table.rows[0]?.[3]).toBe(0);
  });
});
