import { isoWeekScheme } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { backupKey } from './keys.js';
import { emptyManifest, type Manifest, type ManifestEntry } from './manifest-schema.js';
import { planRestore } from './restore-plan.js';

const digest = { sha256: 'a'.repeat(64), bytes: 1 };
const entry = (segment: string): ManifestEntry => ({
  segment,
  key: `segments/${segment}.db.zst`,
  plain: digest,
  compressed: digest,
  ledgerHead: { id: 1, hash: 'b'.repeat(64) },
  users: 1,
  bets: 0,
  openedAtMs: null,
  periodEndMs: period(segment).endMs,
  archivedAtMs: period(segment).endMs + 900_000,
});
const period = (segment: string) => isoWeekScheme.ofName(segment)!;
const backup = (segment: string, atMs: number) => ({ key: backupKey(segment, atMs), segment, atMs });

function manifestOf(...segments: string[]): Manifest {
  const manifest = emptyManifest();
  for (const s of segments) manifest.segments[s] = entry(s);
  return manifest;
}

describe('planRestore', () => {
  const w2 = period('2026-W02');
  const backups = [
    backup('2026-W02', w2.startMs + 3_600_000),
    backup('2026-W02', w2.endMs - 60_000),
    backup('2026-W03', w2.endMs + 3_600_000),
  ];

  it('takes archived segments that had ended, and the newest backup of the others', () => {
    const plan = planRestore(manifestOf('2026-W01', '2026-W02'), backups, w2.endMs + 7_200_000, 5);
    expect(plan.ok && plan.sources.map((s) => [s.segment, s.from])).toEqual([
      ['2026-W01', 'archive'],
      ['2026-W02', 'archive'],
      ['2026-W03', 'backup'],
    ]);
  });

  it('restores a point inside an archived week from that week’s backup, and leaves later weeks out', () => {
    const plan = planRestore(manifestOf('2026-W01', '2026-W02'), backups, w2.startMs + 7_200_000, 5);
    expect(
      plan.ok && plan.sources.map((s) => [s.segment, s.from, s.from === 'backup' && s.backup.atMs]),
    ).toEqual([
      ['2026-W01', 'archive', false],
      ['2026-W02', 'backup', w2.startMs + 3_600_000],
    ]);
  });

  it('refuses when a segment that existed has no copy at that time', () => {
    const plan = planRestore(manifestOf('2026-W02'), [], w2.startMs + 60_000, 5);
    expect(plan).toEqual({ ok: false, code: 'restore_copy_missing', segments: ['2026-W02'] });
  });

  it('keeps only the newest segmentsMax segments', () => {
    const plan = planRestore(manifestOf('2026-W01', '2026-W02'), backups, w2.endMs + 7_200_000, 2);
    expect(plan.ok && plan.sources.map((s) => s.segment)).toEqual(['2026-W02', '2026-W03']);
  });
});
