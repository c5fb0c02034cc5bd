/**
 * The options of `tapctl ledger` turned into one of three queries (SPEC §7: the ledger by user, by
 * `(ref_type, ref_id)` and by time range), or a usage error with a code — nothing is read before
 * the whole input is valid. Pure, so every refusal is unit-tested.
 *
 * - `user`: a wallet's rows, oldest first, optionally narrowed by --ref and --from/--to; cursor = id.
 * - `ref`: every wallet's rows of one reference, id order; cursor = id. --from/--to are refused
 *   with it (a reference's rows are few; narrowing them by time hides a payout from a dispute).
 * - `time`: every wallet's rows with from ≤ created_at ≤ to (to defaults to now), in
 *   (created_at, id) order; cursor = `<createdAtMs>:<id>`.
 */
import { LEDGER_REF_TYPES, type LedgerRefType, type TimeCursor } from '@tap/domain';
import { usageError } from '../cli-error.js';
import { parseAddress } from './address.js';
import { parseTimeMs } from './time.js';

export interface LedgerOptions {
  from?: string;
  to?: string;
  ref?: string;
  limit?: string;
  after?: string;
  segment?: string;
  /** Wait for a restore of an archived week the range reaches (see storage/history.ts). */
  wait?: boolean;
}

export const LEDGER_LIMIT_MAX = 10_000;
const LEDGER_LIMIT_DEFAULT = 100;

interface Range {
  fromMs?: number;
  toMs?: number;
}
export interface Ref {
  refType: LedgerRefType;
  refId: string;
}

export type LedgerFilter =
  | ({ mode: 'user'; userId: string; ref?: Ref; afterId?: number; limit: number } & Range)
  | ({ mode: 'ref'; afterId?: number; limit: number } & Ref)
  | { mode: 'time'; fromMs: number; toMs: number; after?: TimeCursor; limit: number };

export function parseLedgerFilter(
  address: string | undefined,
  options: LedgerOptions,
  nowMs: number,
): LedgerFilter {
  const range = { fromMs: timeOption('from', options.from), toMs: timeOption('to', options.to) };
  if (range.fromMs !== undefined && range.toMs !== undefined && range.fromMs > range.toMs) {
    throw usageError('--from is after --to', 'bad_range');
  }
  const ref = options.ref === undefined ? undefined : parseRef(options.ref);
  const limit = parseLimit(options.limit);
  if (address !== undefined) {
    const parsed = parseAddress(address);
    if (!parsed.ok) throw usageError(parsed.message, 'bad_address');
    const afterId = options.after === undefined ? undefined : idCursor(options.after);
    return { mode: 'user', userId: parsed.userId, ref, afterId, ...range, limit };
  }
  if (ref !== undefined) {
    if (range.fromMs !== undefined || range.toMs !== undefined) {
      throw usageError(
        '--ref without an address takes no --from/--to (a reference has few rows)',
        'ledger_filter_conflict',
      );
    }
    const afterId = options.after === undefined ? undefined : idCursor(options.after);
    return { mode: 'ref', ...ref, afterId, limit };
  }
  if (range.fromMs === undefined) {
    throw usageError(
      'ledger needs an address, --ref <type:id>, or --from <time> (across all wallets)',
      'ledger_filter_missing',
    );
  }
  const toMs = range.toMs ?? nowMs;
  if (range.fromMs > toMs) throw usageError('--from is in the future', 'bad_range');
  const after = options.after === undefined ? undefined : timeCursor(options.after);
  return { mode: 'time', fromMs: range.fromMs, toMs, after, limit };
}

/** The text a page prints for its next page (`--after`). */
export function cursorText(next: number | TimeCursor | null): string | null {
  if (next === null) return null;
  return typeof next === 'number' ? String(next) : `${next.createdAt}:${next.id}`;
}

function timeOption(flag: 'from' | 'to', text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimeMs(text);
  if (ms === undefined)
    throw usageError(`--${flag} "${text}" is not an ISO date or epoch milliseconds`, 'bad_time');
  return ms;
}

function parseRef(text: string): Ref {
  const [refType, ...rest] = text.split(':');
  const refId = rest.join(':');
  if (!LEDGER_REF_TYPES.includes(refType as LedgerRefType) || refId === '') {
    throw usageError(`--ref must be <type>:<id> with type one of ${LEDGER_REF_TYPES.join(', ')}`, 'bad_ref');
  }
  return { refType: refType as LedgerRefType, refId };
}

function parseLimit(text: string | undefined): number {
  const limit =
    text === undefined ? LEDGER_LIMIT_DEFAULT : /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > LEDGER_LIMIT_MAX) {
    throw usageError(`--limit must be 1 to ${LEDGER_LIMIT_MAX}`, 'bad_limit');
  }
  return limit;
}

function idCursor(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw usageError(`--after "${text}" is not a ledger row id`, 'bad_cursor');
  return Number(text);
}

function timeCursor(text: string): TimeCursor {
  const match = /^(\d{1,15}):(\d{1,15})$/.exec(text);
  if (!match) throw usageError(`--after "${text}" is not a <createdAtMs>:<id> cursor`, 'bad_cursor');
  return { createdAt: Number(match[1]), id: Number(match[2]) };
}
