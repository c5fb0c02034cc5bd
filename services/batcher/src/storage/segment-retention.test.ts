import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { localManifestPath, type Manifest, type ManifestEntry } from '@tap/archive/manifest-schema';
import { isoWeekScheme, META_KEYS, sealSegmentFiles, segmentPath, segmentsDir } from '@tap/domain';
import { createLogger } from '@tap/runtime';
import { writeSegmentFile } from '@tap/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { pruneArchivedSegments, type RefusalMemo } from './segment-retention.js';

// Counts the files hashed: the retention streams a segment only to hash it.
const hashed = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const createReadStream = ((path: string, ...rest: unknown[]) => {
    hashed.push(String(path));
    return (fs.createReadStream as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.createReadStream;
  return { ...fs, createReadStream, default: { ...fs, createReadStream } };
});

const CLOSED = ['2020-W01', '2020-W02', '2020-W03', '2020-W04', '2020-W05', '2020-W06'];
const HOT = '2020-W07';
const log = createLogger('batcher', 'silent');

/** Six sealed closed weeks and the hot one, as the batcher leaves them; their ledger heads. */
function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'tap-retention-'));
  mkdirSync(segmentsDir(dir));
  const heads: Record<string, { id: number; hash: string }> = {};
  for (const name of CLOSED) {
    heads[name] = writeSegmentFile(segmentPath(dir, name), { users: 3, state: 'closed' });
    sealSegmentFiles(segmentPath(dir, name));
  }
  writeSegmentFile(segmentPath(dir, HOT), { users: 2 });
  return { dir, heads };
}

/** The entry the archiver records for the local file as it is now (its bytes and ledger head). */
function entryFor(dir: string, name: string, head: { id: number; hash: string }): ManifestEntry {
  const bytes = readFileSync(segmentPath(dir, name));
  const digest = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  return {
    segment: name,
    key: `segments/${name}.db.zst`,
    plain: digest,
    compressed: digest,
    ledgerHead: head,
    users: 3,
    bets: 9,
    openedAtMs: null,
    periodEndMs: isoWeekScheme.ofName(name)!.endMs,
    archivedAtMs: isoWeekScheme.ofName(name)!.endMs + 900_000,
  };
}

function writeManifest(dir: string, entries: ManifestEntry[]): void {
  const manifest: Manifest = { version: 1, segments: {}, anchors: [] };
  for (const entry of entries) manifest.segments[entry.segment] = entry;
  mkdirSync(dirname(localManifestPath(dir)), { recursive: true });
  writeFileSync(localManifestPath(dir), JSON.stringify(manifest));
}

const local = (dir: string) => [...CLOSED, HOT].filter((name) => existsSync(segmentPath(dir, name)));

describe('pruneArchivedSegments', () => {
  it('deletes only segments past the newest four that the manifest lists with their own bytes and head', async () => {
    const { dir, heads } = dataDir();
    // W02 is not archived yet; W03..W06 are archived but among the newest four closed.
    writeManifest(
      dir,
      ['2020-W01', '2020-W03', '2020-W04', '2020-W05', '2020-W06'].map((n) => entryFor(dir, n, heads[n]!)),
    );
    const result = await pruneArchivedSegments({ dataDir: dir, keptLocal: 4, log });
    expect(result).toEqual({ deleted: ['2020-W01'], refused: [] });
    expect(local(dir)).toEqual(CLOSED.slice(1).concat(HOT));
    for (const suffix of ['-wal', '-shm'])
      expect(existsSync(`${segmentPath(dir, '2020-W01')}${suffix}`)).toBe(false);

    // Archived later: the next pass deletes it; nothing else.
    writeManifest(
      dir,
      ['2020-W02', '2020-W03'].map((n) => entryFor(dir, n, heads[n]!)),
    );
    expect(await pruneArchivedSegments({ dataDir: dir, keptLocal: 4, log })).toEqual({
      deleted: ['2020-W02'],
      refused: [],
    });
    expect(local(dir)).toEqual(CLOSED.slice(2).concat(HOT));
  });

  it('refuses a manifest entry whose sha256 or ledger head is not the local file’s, and deletes nothing for it', async () => {
    const { dir, heads } = dataDir();
    const forgedHash = { ...entryFor(dir, '2020-W01', heads['2020-W01']!) };
    forgedHash.plain = { ...forgedHash.plain, sha256: 'f'.repeat(64) };
    const forgedHead = entryFor(dir, '2020-W02', { id: heads['2020-W02']!.id, hash: 'a'.repeat(64) });
    writeManifest(dir, [forgedHash, forgedHead]);
    const result = await pruneArchivedSegments({ dataDir: dir, keptLocal: 4, log });
    expect(result.deleted).toEqual([]);
    expect(result.refused.map((r) => r.segment)).toEqual(['2020-W01', '2020-W02']);
    expect(result.refused[0]!.reason).toContain('is not the archived one');
    expect(result.refused[1]!.reason).toContain('ledger head');
    expect(local(dir)).toEqual([...CLOSED, HOT]);
  });

  it('deletes nothing without a manifest copy, or with keptLocal covering every closed segment', async () => {
    const { dir, heads } = dataDir();
    // A segment closed before issue 16 has no -wal/-shm: the pass seals it for the readers.
    rmSync(`${segmentPath(dir, '2020-W03')}-wal`);
    rmSync(`${segmentPath(dir, '2020-W03')}-shm`);
    expect(await pruneArchivedSegments({ dataDir: dir, keptLocal: 4, log })).toEqual({
      deleted: [],
      refused: [],
    });
    expect(statSync(`${segmentPath(dir, '2020-W03')}-shm`).mode & 0o777).toBe(0o444);
    writeManifest(
      dir,
      CLOSED.map((n) => entryFor(dir, n, heads[n]!)),
    );
    expect(await pruneArchivedSegments({ dataDir: dir, keptLocal: 6, log })).toEqual({
      deleted: [],
      refused: [],
    });
    expect(local(dir)).toEqual([...CLOSED, HOT]);
  });

  it('deletes a segment an earlier archiver marked archived by its ledger head alone (its bytes changed with the mark)', async () => {
    const { dir, heads } = dataDir();
    const entries = ['2020-W01', '2020-W02'].map((n) => entryFor(dir, n, heads[n]!));
    for (const name of ['2020-W01', '2020-W02']) {
      const db = new Database(segmentPath(dir, name));
      db.prepare('UPDATE meta SET value = ? WHERE key = ?').run('archived', META_KEYS.state);
      db.close();
    }
    entries[1]!.ledgerHead = { id: heads['2020-W02']!.id + 1, hash: 'a'.repeat(64) };
    writeManifest(dir, entries);
    const result = await pruneArchivedSegments({ dataDir: dir, keptLocal: 4, log });
    expect(result.deleted).toEqual(['2020-W01']);
    expect(result.refused.map((r) => r.segment)).toEqual(['2020-W02']);
  });

  it('hashes a refused segment once while neither the file nor its manifest entry changes', async () => {
    const { dir, heads } = dataDir();
    const forged = entryFor(dir, '2020-W01', heads['2020-W01']!);
    forged.plain = { ...forged.plain, sha256: 'f'.repeat(64) };
    writeManifest(dir, [forged]);
    const refusals: RefusalMemo = new Map();
    const path = segmentPath(dir, '2020-W01');
    const hashes = () => hashed.filter((p) => p === path).length;
    const options = { dataDir: dir, keptLocal: 4, log, refusals };
    for (let pass = 0; pass < 3; pass += 1) {
      const result = await pruneArchivedSegments(options);
      expect(result.refused.map((r) => r.segment)).toEqual(['2020-W01']);
      expect(result.refused[0]!.reason).toContain('is not the archived one');
    }
    expect(hashes()).toBe(1);

    // The manifest entry corrected: compared again, and deleted.
    writeManifest(dir, [entryFor(dir, '2020-W01', heads['2020-W01']!)]);
    expect(await pruneArchivedSegments(options)).toEqual({ deleted: ['2020-W01'], refused: [] });
    expect(hashes()).toBe(2);
    expect(refusals.size).toBe(0);
  });

  it('hashes a refused segment again when its size or mtime changes', async () => {
    const { dir, heads } = dataDir();
    const forged = entryFor(dir, '2020-W01', heads['2020-W01']!);
    forged.plain = { ...forged.plain, sha256: 'f'.repeat(64) };
    writeManifest(dir, [forged]);
    const path = segmentPath(dir, '2020-W01');
    const hashes = () => hashed.filter((p) => p === path).length;
    const options = { dataDir: dir, keptLocal: 4, log, refusals: new Map() as RefusalMemo };
    await pruneArchivedSegments(options);
    const later = new Date(statSync(path).mtimeMs + 5_000);
    utimesSync(path, later, later);
    expect((await pruneArchivedSegments(options)).refused.map((r) => r.segment)).toEqual(['2020-W01']);
    expect(hashes()).toBe(2);
  });
});
