import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readResults } from '@tap/benchmarks/runner';
import { describe, expect, it } from 'vitest';
import { CHAOS_RESULTS_DIR, renderChaos } from './chaos-markdown.js';
import { CHAOS_ROOT } from './chaos-run.js';
import { CHAOS_ORDER, RECORDED_ORDER } from './scenarios.js';

const recorded = readResults(CHAOS_RESULTS_DIR, CHAOS_ORDER);

describe('CHAOS.md', () => {
  it('is what the recorded results render to (nothing edited by hand, nothing left unrendered)', () => {
    const text = readFileSync(join(CHAOS_ROOT, 'CHAOS.md'), 'utf8');
    const generatedAt = /^Generated (\S+) by /m.exec(text)?.[1];
    expect(generatedAt).toBeDefined();
    expect(renderChaos(recorded, generatedAt!)).toBe(text);
  });

  it('records every scenario but the CI subset, each with the command that reproduces it', () => {
    expect(recorded.map((r) => r.scenario)).toEqual(RECORDED_ORDER);
    for (const r of recorded) expect(r.command).toBe(`pnpm --filter @tap/chaos chaos run ${r.scenario}`);
  });

  it('marks a failed run in the summary', () => {
    const [first, ...rest] = recorded;
    const text = renderChaos([{ ...first!, ok: false }, ...rest], '2026-01-01T00:00:00.000Z');
    const row = text.split('\n').find((line) => line.startsWith(`| \`${first!.scenario}\``));
    expect(row).toMatch(/\| FAILED \|$/);
  });
});
