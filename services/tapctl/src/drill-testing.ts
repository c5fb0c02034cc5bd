/**
 * Helpers of the restore drills (restore.int.test.ts, redis-restore.int.test.ts): every money and
 * bet row of a data directory, and the Redis cache the batcher maintains, to compare before and
 * after a restore.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Channels, WALLET_FIELDS } from '@tap/channels';
import { segmentsDir } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import Database from 'better-sqlite3';

/** Every row of every table that holds money or bets, in a stable order. */
export function rowsOf(path: string) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      users: db.prepare('SELECT * FROM users ORDER BY id').all(),
      bets: db.prepare('SELECT * FROM bets ORDER BY id').all(),
      ledger: db.prepare('SELECT * FROM transaction_ledger ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

export type Rows = Record<string, ReturnType<typeof rowsOf>>;

/** The rows of every segment of a data directory, by file name. */
export function rowsIn(dataDir: string): Rows {
  return Object.fromEntries(
    readdirSync(segmentsDir(dataDir))
      .filter((f) => f.endsWith('.db'))
      .map((f) => [f, rowsOf(join(segmentsDir(dataDir), f))]),
  );
}

/**
 * The balance cache and exposure keys the batcher maintains, with their values (a wallet hash's
 * cache fields as `key#field`; its rate bucket is not cache); a 0 counts as absent.
 */
export async function cacheOf(redis: Redis, channels: Channels): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  const cacheFields = [WALLET_FIELDS.balance, WALLET_FIELDS.exposure, WALLET_FIELDS.openBets] as const;
  for (const pattern of Object.values(channels.cachePatterns)) {
    for (const key of (await redis.keys(pattern)).sort()) {
      const type = await redis.type(key);
      if (type === 'hash') {
        const values = await redis.hmget(key, ...cacheFields);
        cacheFields.forEach((field, i) => {
          if (values[i] !== null && values[i] !== '0') out[`${key}#${field}`] = values[i]!;
        });
        continue;
      }
      const value = type === 'string' ? await redis.get(key) : `(${type})`;
      if (value !== '0') out[key] = value;
    }
  }
  return out;
}
