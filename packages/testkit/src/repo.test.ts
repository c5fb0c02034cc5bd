import { describe, expect, it } from 'vitest';
import { unitNodeArgs } from './repo.js';

describe('unitNodeArgs', () => {
  it("reads the node flags of a service's systemd unit, none for a unit without flags or no unit", () => {
    expect(unitNodeArgs('batcher')).toContain('--max-semi-space-size=32');
    expect(unitNodeArgs('ingest-api')).toEqual([]);
    expect(unitNodeArgs('no-such-service')).toEqual([]);
  });
});
