import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWriterSegment } from './segment.js';

// PRAGMA synchronous answers 1 for NORMAL and 2 for FULL.
const synchronousOf = (segment: ReturnType<typeof openWriterSegment>) =>
  segment.db.pragma('synchronous', { simple: true });

describe('openWriterSegment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-segment-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes with synchronous=FULL unless told otherwise (SPEC §6)', () => {
    const segment = openWriterSegment('2026-W48', join(dir, '2026-W48.db'));
    try {
      expect(synchronousOf(segment)).toBe(2);
      expect(segment.db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      segment.close();
    }
  });

  it('runs synchronous=NORMAL only when the benchmark asks for it', () => {
    const segment = openWriterSegment('2026-W48', join(dir, '2026-W48.db'), 'NORMAL');
    try {
      expect(synchronousOf(segment)).toBe(1);
    } finally {
      segment.close();
    }
  });
});
