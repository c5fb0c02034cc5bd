import { isoWeekScheme } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { archivedOverlapping, emptyManifest, type Manifest } from './manifest-schema.js';

const week = (name: string) => isoWeekScheme.ofName(name)!;

function manifestOf(...segments: string[]): Manifest {
  const manifest = emptyManifest();
  const digest = { sha256: 'a'.repeat(64), bytes: 1 };
  for (const segment of segments) {
    manifest.segments[segment] = {
      segment,
      key: `segments/${segment}.db.zst`,
      plain: digest,
      compressed: digest,
      ledgerHead: { id: 1, hash: 'b'.repeat(64) },
      users: 1,
      bets: 0,
      openedAtMs: week(segment).startMs + 5,
      periodEndMs: week(segment).endMs,
      archivedAtMs: week(segment).endMs + 1,
    };
  }
  return manifest;
}

describe('archivedOverlapping', () => {
  const manifest = manifestOf('2026-W03', '2026-W01', '2026-W02');
  const names = (from: number, to: number) => archivedOverlapping(manifest, from, to).map((e) => e.segment);

  it('names the archived weeks a range overlaps, oldest first', () => {
    expect(names(week('2026-W01').startMs + 10, week('2026-W03').startMs)).toEqual([
      '2026-W01',
      '2026-W02',
      '2026-W03',
    ]);
    expect(names(week('2026-W02').startMs, week('2026-W02').endMs - 1)).toEqual(['2026-W02']);
  });

  it('starts a week where the one before it ends (the first at its opening), ends it exclusively', () => {
    expect(names(week('2026-W02').endMs, week('2026-W02').endMs)).toEqual(['2026-W03']);
    expect(names(week('2026-W01').startMs, week('2026-W01').startMs + 4)).toEqual([]);
  });

  it('names nothing for a range after the newest archived week', () => {
    expect(names(week('2026-W03').endMs, week('2026-W03').endMs + 1_000)).toEqual([]);
  });
});
