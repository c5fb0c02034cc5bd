/**
 * Typed encode/decode of stream entries. An entry is one field, `d`, holding the JSON of the typed
 * value. Writers are trusted by their types (no validation on the hot path); readers validate every
 * entry against the schema in `@tap/domain` and get a value or a reason to dead-letter it. The hot
 * kinds first try a hand-written validator (fast-validators.ts); what it does not accept goes to
 * the zod schema, which decides and gives the reason, so zod stays the reference.
 */
import {
  adjustmentEntrySchema,
  betEntrySchema,
  breakerEntrySchema,
  deadLetterEntrySchema,
  eventEntrySchema,
  operatorEntrySchema,
  printEntrySchema,
  settlementEntrySchema,
} from '@tap/domain';
import type { z } from 'zod';
import { FAST_VALIDATORS } from './fast-validators.js';

export const ENTRY_SCHEMAS = {
  bets: betEntrySchema,
  settlements: settlementEntrySchema,
  adjustments: adjustmentEntrySchema,
  prices: printEntrySchema,
  events: eventEntrySchema,
  breaker: breakerEntrySchema,
  deadLetter: deadLetterEntrySchema,
  operator: operatorEntrySchema,
} as const;

export type StreamKind = keyof typeof ENTRY_SCHEMAS;
export type EntryOf<K extends StreamKind> = z.infer<(typeof ENTRY_SCHEMAS)[K]>;
export type Decoded<T> = { ok: true; value: T } | { ok: false; code: 'entry_malformed'; reason: string };

const FIELD = 'd';
/** Typed per kind here, so a fast validator that returns the wrong shape does not compile. */
const FAST: { [K in StreamKind]?: (json: unknown) => EntryOf<K> | undefined } = FAST_VALIDATORS;

export function encodeEntry<K extends StreamKind>(_kind: K, value: EntryOf<K>): [string, string] {
  return [FIELD, JSON.stringify(value)];
}

/** The JSON text of an entry's payload, or undefined when it has no `d` field. */
export function entryJson(fields: readonly string[]): string | undefined {
  const index = fields.indexOf(FIELD);
  return index % 2 === 0 ? fields[index + 1] : undefined;
}

/** `fields` is the flat [name, value, name, value…] array XREAD/XRANGE return. */
export function decodeEntry<K extends StreamKind>(kind: K, fields: readonly string[]): Decoded<EntryOf<K>> {
  const raw = entryJson(fields);
  if (raw === undefined) return { ok: false, code: 'entry_malformed', reason: `no "${FIELD}" field` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'entry_malformed', reason: 'not JSON' };
  }
  const fast = FAST[kind]?.(json);
  if (fast !== undefined) return { ok: true, value: fast };
  return decodeWithSchema(kind, json);
}

/** The reference path: the zod schema of the kind. Exported for the differential test and the bench. */
export function decodeWithSchema<K extends StreamKind>(kind: K, json: unknown): Decoded<EntryOf<K>> {
  const parsed = ENTRY_SCHEMAS[kind].safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`)
      .join('; ');
    return { ok: false, code: 'entry_malformed', reason };
  }
  return { ok: true, value: parsed.data as EntryOf<K> };
}
