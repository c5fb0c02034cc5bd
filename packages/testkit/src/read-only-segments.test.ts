import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentPath, segmentsDir } from '@tap/domain';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startProcess } from './process.js';
import { readOnlySegments } from './read-only-segments.js';
import { writeSegmentFile } from './segment-file.js';

/** Runs `script` with better-sqlite3 as the reader user; its stdout's last line. */
async function asReader(user: { uid: number; gid: number } | undefined, script: string): Promise<string> {
  const started = startProcess(process.execPath, ['-e', script], {
    user,
    cwd: import.meta.dirname,
    env: { PATH: process.env.PATH ?? '' },
  });
  await started.exited;
  return [...started.lines, ...started.stderr].join('\n');
}

const sqlite = `const D = require(require.resolve('better-sqlite3', { paths: [${JSON.stringify(import.meta.dirname)}] }));`;

describe('readOnlySegments', () => {
  it('lets the reader read a sealed segment and refuses it every write', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-ro-'));
    mkdirSync(segmentsDir(dataDir));
    const path = segmentPath(dataDir, '2020-W01');
    writeSegmentFile(path, { users: 3, state: 'closed' });
    const staging = join(dataDir, 'staging');
    const { user } = readOnlySegments(dataDir, { writable: [staging] });

    const read = await asReader(
      user,
      `${sqlite} const db = new D(${JSON.stringify(path)}, { readonly: true, fileMustExist: true });
       console.log('users', db.prepare('SELECT COUNT(*) AS n FROM users').get().n);`,
    );
    expect(read).toContain('users 3');

    const write = await asReader(
      user,
      `${sqlite} try { const db = new D(${JSON.stringify(path)}, { fileMustExist: true });
         db.prepare("UPDATE meta SET value = 'archived' WHERE key = 'state'").run(); console.log('wrote');
       } catch (err) { console.log('refused', err.code); }`,
    );
    expect(write).toContain('refused');
    const remove = await asReader(
      user,
      `try { require('node:fs').rmSync(${JSON.stringify(path)}); console.log('deleted'); }
       catch (err) { console.log('refused', err.code); }
       require('node:fs').writeFileSync(${JSON.stringify(join(staging, 'x'))}, 'ok'); console.log('staged');`,
    );
    expect(remove).toContain('refused EACCES');
    expect(remove).toContain('staged');
    expect(existsSync(path)).toBe(true);
  });

  it('lets the reader follow a segment the writer keeps committing to (SQLite read-only WAL mode)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-ro-live-'));
    mkdirSync(segmentsDir(dataDir));
    const path = segmentPath(dataDir, '2020-W02');
    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE t (n INTEGER)');
    const insert = writer.prepare('INSERT INTO t (n) VALUES (?)');
    insert.run(0);
    const { user } = readOnlySegments(dataDir);
    let n = 1;
    const timer = setInterval(() => insert.run(n++), 5);
    try {
      const out = await asReader(
        user,
        `${sqlite} const db = new D(${JSON.stringify(path)}, { readonly: true, fileMustExist: true });
         const seen = [];
         const tick = () => { seen.push(db.prepare('SELECT COUNT(*) AS c FROM t').get().c);
           if (seen.length < 20) setTimeout(tick, 25); else console.log('seen', JSON.stringify(seen)); };
         tick();`,
      );
      const seen = JSON.parse(out.split('seen ')[1] ?? '[]') as number[];
      expect(seen, out).toHaveLength(20);
      // Never backwards, and it saw commits made after it opened the file.
      expect(seen.every((c, i) => i === 0 || c >= seen[i - 1]!)).toBe(true);
      expect(seen.at(-1)!).toBeGreaterThan(seen[0]!);
    } finally {
      clearInterval(timer);
      writer.close();
    }
  });
});
