import { describe, expect, it } from 'vitest';
import { checkpointDue } from './consumer.js';

describe('checkpointDue (the WAL checkpoint between batches)', () => {
  it('runs when idle, never with nothing written since the last one', () => {
    expect(checkpointDue(1, 200, true, false)).toBe(true);
    expect(checkpointDue(0, 200, true, true)).toBe(false);
  });

  it('once due, waits for a batch that applied a print, so the stall falls before the next print', () => {
    expect(checkpointDue(199, 200, false, true)).toBe(false);
    expect(checkpointDue(200, 200, false, false)).toBe(false);
    expect(checkpointDue(200, 200, false, true)).toBe(true);
    expect(checkpointDue(350, 200, false, true)).toBe(true);
  });

  it('runs at twice the count when no print comes (a stalled feed still bounds the WAL)', () => {
    expect(checkpointDue(399, 200, false, false)).toBe(false);
    expect(checkpointDue(400, 200, false, false)).toBe(true);
  });
});
