/**
 * Redis' persistence files to back up with each segment backup: `dump.rdb` and every file of
 * `appendonlydir/` (Redis 7: the manifest, its base RDB and incremental AOFs). The AOF is appended
 * while it is read, so a backup holds a prefix of it — which Redis loads (aof-load-truncated). A
 * rewrite that swaps the files mid-copy makes the read fail and the run with it; the next hour
 * tries again. No file at all is an error: the backup would miss the accepted-but-unapplied bets.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface RedisFile {
  /** Path relative to Redis' dir, as restored: `dump.rdb`, `appendonlydir/appendonly.aof.1.incr.aof`. */
  name: string;
  path: string;
}

export async function redisFiles(redisDir: string): Promise<RedisFile[]> {
  const files: RedisFile[] = [];
  if (await isFile(join(redisDir, 'dump.rdb')))
    files.push({ name: 'dump.rdb', path: join(redisDir, 'dump.rdb') });
  const aofDir = join(redisDir, 'appendonlydir');
  const aofs = await readdir(aofDir).catch(() => [] as string[]);
  for (const name of aofs.sort()) {
    const path = join(aofDir, name);
    if (await isFile(path)) files.push({ name: `appendonlydir/${name}`, path });
  }
  if (files.length === 0) {
    throw new Error(
      `no dump.rdb or appendonlydir/ in REDIS_DATA_DIR ${redisDir}: nothing of Redis to back up`,
    );
  }
  return files;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
