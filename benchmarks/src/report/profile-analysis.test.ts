import { describe, expect, it } from 'vitest';
import { aCpuProfile } from '../testing/fixtures.js';
import type { FrameSource } from './cpu-profile.js';
import { analyzeProfile } from './profile-analysis.js';
import { CATEGORY } from './profile-categories.js';

const IDLE = { name: '(idle)', url: '' };
const GC = { name: '(garbage collector)', url: '' };
const REDIS = {
  name: 'sendCommand',
  url: 'node_modules/.pnpm/ioredis@5/node_modules/ioredis/built/Redis.js',
};
const SOCKET_WRITE = { name: 'writeUtf8String', url: '' };
const NET = { name: 'Socket._write', url: 'node:net', line: 968 };

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('analyzeProfile', () => {
  it('gives percentages of busy samples, leaving idle out', () => {
    const profile = aCpuProfile([
      { frames: [IDLE], samples: 10 },
      { frames: ['main', 'handle'], samples: 15 },
      { frames: ['main'], samples: 15 },
    ]);
    const analysis = analyzeProfile(profile);
    expect(analysis.samples).toBe(40);
    expect(analysis.busySamples).toBe(30);
    expect(analysis.top.map((f) => [f.name, f.pct])).toEqual([
      ['handle', 50],
      ['main', 50],
    ]);
  });

  it('ranks functions by self time summed over every stack they appear in', () => {
    const profile = aCpuProfile([
      { frames: ['main', 'parse'], samples: 2 },
      { frames: ['timer', 'parse'], samples: 3 },
      { frames: ['main', 'apply'], samples: 4 },
      { frames: ['main'], samples: 1 },
    ]);
    const analysis = analyzeProfile(profile, { topN: 2 });
    expect(analysis.top.map((f) => [f.name, f.samples, f.pct])).toEqual([
      ['parse', 5, 50],
      ['apply', 4, 40],
    ]);
  });

  it('counts only the samples inside the window', () => {
    const profile = aCpuProfile([
      { frames: ['startup'], samples: 5 },
      { frames: ['main'], samples: 5 },
    ]);
    const window = { startUs: profile.startTime + 5_500, endUs: profile.startTime + 20_000 };
    const analysis = analyzeProfile(profile, { window });
    expect(analysis.busySamples).toBe(5);
    expect(analysis.top.map((f) => f.name)).toEqual(['main']);
  });

  it('charges native and Node frames to their nearest classified caller', () => {
    const profile = aCpuProfile([
      { frames: ['main', REDIS, NET, SOCKET_WRITE], samples: 6 },
      {
        frames: [{ name: 'processTicksAndRejections', url: 'node:internal/process/task_queues' }],
        samples: 2,
      },
      { frames: [GC], samples: 2 },
    ]);
    const shares = analyzeProfile(profile).categories.map((c) => [c.category, c.pct]);
    expect(shares).toEqual([
      [CATEGORY.redis, 60],
      [CATEGORY.node, 20],
      [CATEGORY.gc, 20],
    ]);
  });

  it("splits our code's self time over the categories of its sampled lines", () => {
    const profile = aCpuProfile([
      { frames: ['main', 'reply'], samples: 8 },
      { frames: ['main', 'apply'], samples: 2 },
    ]);
    const reply = profile.nodes.find((n) => n.callFrame.functionName === 'reply')!;
    const source: FrameSource = {
      file: 'services/ingest-api/src/http/call.ts',
      line: 50,
      imports: ['@tap/uws'],
      lines: [
        { code: 'const text = JSON.stringify(body);', ticks: 1 },
        { code: 'call.res.cork(() => {', ticks: 2 },
        { code: 'call.answered = true;', ticks: 1 },
      ],
    };
    const analysis = analyzeProfile(profile, { sources: new Map([[reply.id, source]]) });
    const pct = Object.fromEntries(analysis.categories.map((c) => [c.category, c.pct]));
    expect(pct).toEqual({ [CATEGORY.uws]: 40, [CATEGORY.ours]: 40, [CATEGORY.json]: 20 });
    expect(analysis.top[0]).toMatchObject({
      name: 'reply',
      location: 'services/ingest-api/src/http/call.ts:50',
      category: CATEGORY.uws,
      hotLine: 'call.res.cork(() => {',
    });
  });

  it('has categories that add up to every busy sample', () => {
    const profile = aCpuProfile([
      { frames: [IDLE], samples: 7 },
      { frames: ['main', REDIS, SOCKET_WRITE], samples: 3 },
      { frames: ['main', { name: 'quoteCell', url: 'packages/pricing/src/quote-cell.ts' }], samples: 5 },
      { frames: ['main', { name: '_parse', url: 'node_modules/zod/v3/types.js' }], samples: 4 },
      { frames: [{ name: '(program)', url: '' }], samples: 1 },
      { frames: ['main', { name: 'lib', url: 'node_modules/left-pad/index.js' }], samples: 2 },
      { frames: [GC], samples: 3 },
    ]);
    const analysis = analyzeProfile(profile);
    expect(sum(analysis.categories.map((c) => c.samples))).toBe(analysis.busySamples);
    expect(sum(analysis.categories.map((c) => c.pct))).toBeCloseTo(100, 1);
    expect(analysis.categories.map((c) => c.category)).toContain(CATEGORY.other);
  });
});
