import { describe, expect, it } from 'vitest';
import { commandFor } from './runner.js';

describe('commandFor', () => {
  it('names every --env of an A/B, so the recorded command reproduces the run', () => {
    expect(
      commandFor('ingest', {
        rate: 300,
        daemonEnv: { 'ingest-api': { BET_ENTRY: 'next_print' }, 'price-ingest': { INDEX_FILTER: 'on' } },
      }),
    ).toBe(
      'pnpm --filter @tap/benchmarks bench run ingest --rate 300 --env ingest-api:BET_ENTRY=next_print --env price-ingest:INDEX_FILTER=on',
    );
  });
});
