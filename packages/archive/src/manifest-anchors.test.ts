import { describe, expect, it } from 'vitest';
import { mergeAnchors } from './manifest-anchors.js';
import { emptyManifest, manifestSchema } from './manifest-schema.js';

const hash = (c: string) => c.repeat(64);
const anchor = (segment: string, rows: number, h: string) => ({
  segment,
  rows,
  hash: hash(h),
  at: rows * 1000,
});

describe('mergeAnchors', () => {
  it('appends the newest anchor of each segment past what the manifest holds', () => {
    const manifest = emptyManifest();
    manifest.anchors.push(anchor('2026-W48', 5, 'a'));
    const merged = mergeAnchors(manifest, [
      anchor('2026-W48', 5, 'a'),
      anchor('2026-W48', 9, 'b'),
      anchor('2026-W48', 12, 'c'),
      anchor('2026-W49', 13, 'd'),
    ]);
    expect(merged).toEqual({
      added: [anchor('2026-W48', 12, 'c'), anchor('2026-W49', 13, 'd')],
      problems: [],
    });
    expect(manifest.anchors.map((a) => a.rows)).toEqual([5, 12, 13]);
    expect(mergeAnchors(manifest, [anchor('2026-W48', 12, 'c')]).added).toEqual([]);
  });

  it('refuses a local file that disagrees with an anchor S3 holds, adding nothing', () => {
    const manifest = emptyManifest();
    manifest.anchors.push(anchor('2026-W48', 5, 'a'));
    const merged = mergeAnchors(manifest, [anchor('2026-W48', 5, 'f'), anchor('2026-W48', 9, 'b')]);
    expect(merged.added).toEqual([]);
    expect(merged.problems[0]).toContain('2026-W48: local anchor of row 5');
    expect(manifest.anchors).toHaveLength(1);
  });

  it('reads a manifest written before anchors existed as holding none', () => {
    expect(manifestSchema.parse({ version: 1, segments: {} }).anchors).toEqual([]);
  });
});
