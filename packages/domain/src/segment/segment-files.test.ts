import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  listPartialSegments,
  listSegments,
  partialSegmentPath,
  SegmentDirError,
  segmentPath,
} from './segment-files.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'segment-files-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('segment files', () => {
  it('lists the segments oldest first and nothing else', () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'segments'));
    for (const name of ['2026-W49', '2026-W47', '2026-W48']) writeFileSync(segmentPath(dataDir, name), '');
    writeFileSync(join(dataDir, 'segments', '2026-W48.db-wal'), '');
    writeFileSync(join(dataDir, 'segments', 'notes.db'), '');
    writeFileSync(partialSegmentPath(dataDir, '2026-W50'), '');
    expect(listSegments(dataDir).map((s) => s.name)).toEqual(['2026-W47', '2026-W48', '2026-W49']);
    expect(listPartialSegments(dataDir)).toEqual([join(dataDir, 'segments', '2026-W50.db.partial')]);
  });

  it('lists a data directory without segments/ as empty', () => {
    expect(listSegments(tempDir())).toEqual([]);
  });

  it('throws data_dir_missing naming the path when DATA_DIR does not exist', () => {
    const missing = join(tempDir(), 'no-such-dir');
    expect(() => listSegments(missing)).toThrow(SegmentDirError);
    expect(() => listSegments(missing)).toThrow(`data_dir_missing: ${missing}`);
  });

  it('throws data_dir_unreadable naming the path when segments/ cannot be read', () => {
    const dataDir = tempDir();
    // Root reads any mode, so an unreadable directory is made by putting a file in its place.
    writeFileSync(join(dataDir, 'segments'), '');
    expect(() => listSegments(dataDir)).toThrow(`data_dir_unreadable: ${join(dataDir, 'segments')}`);
  });

  it('throws data_dir_unreadable when DATA_DIR is a file', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    expect(() => listSegments(file)).toThrow(`data_dir_unreadable: ${file}`);
  });

  it('refuses to build a path from something that is not a segment name', () => {
    expect(() => segmentPath('/data', '../etc/passwd')).toThrow(RangeError);
  });
});
