import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';

describe('lockDataDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder while the first holds the lock', () => {
    const first = lockDataDir(dir);
    expect(first.ok).toBe(true);
    expect(lockDataDir(dir)).toEqual({ ok: false, code: 'data_dir_locked', path: join(dir, 'batcher.lock') });
    if (first.ok) first.release();
  });

  it('can be taken again once released', () => {
    const first = lockDataDir(dir);
    if (first.ok) first.release();
    const second = lockDataDir(dir);
    expect(second.ok).toBe(true);
    if (second.ok) second.release();
  });
});
