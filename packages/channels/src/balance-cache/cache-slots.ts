/**
 * Reads cache slots (a string key, or a field of a wallet hash) in bulk: the string keys with MGET
 * and each wallet's fields with one HMGET, in one pipeline per chunk. Used by integrity-cron's
 * comparison and the benchmark audit, so both read the cache the way admission writes it.
 */
import { type CacheSlot, slotName } from './cache-plan.js';

const CHUNK = 1_000;

/** The part of an ioredis client readSlots uses. */
export interface SlotRedis {
  pipeline(): {
    mget(...keys: string[]): unknown;
    hmget(key: string, ...fields: string[]): unknown;
    exec(): Promise<[Error | null, unknown][] | null>;
  };
}

/** Each slot's value by `slotName` (absent: the key or field does not exist). */
export async function readSlots(redis: SlotRedis, slots: readonly CacheSlot[]): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (let i = 0; i < slots.length; i += CHUNK) {
    const chunk = slots.slice(i, i + CHUNK);
    const plain = chunk.filter((slot) => !slot.field).map((slot) => slot.key);
    const fieldsByKey = new Map<string, string[]>();
    for (const { key, field } of chunk)
      if (field) fieldsByKey.set(key, [...(fieldsByKey.get(key) ?? []), field]);
    const pipeline = redis.pipeline();
    if (plain.length > 0) pipeline.mget(...plain);
    for (const [key, fields] of fieldsByKey) pipeline.hmget(key, ...fields);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    let r = 0;
    if (plain.length > 0) {
      const read = results[r++]![1] as (string | null)[];
      plain.forEach((key, j) => {
        if (read[j] != null) values.set(key, read[j]!);
      });
    }
    for (const [key, fields] of fieldsByKey) {
      const read = results[r++]![1] as (string | null)[];
      fields.forEach((field, j) => {
        if (read[j] != null) values.set(slotName({ key, field: field as CacheSlot['field'] }), read[j]!);
      });
    }
  }
  return values;
}
