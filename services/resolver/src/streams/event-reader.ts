/**
 * `tap:events` as the resolver needs it (plain XREAD, no group: the stream is the batcher's
 * broadcast). `accepted` events carry the bet's cell and open a bet; won/lost/void/rejected close
 * one; everything else is ignored. An `accepted` event without its cell (a batcher that predates
 * the field) is looked up in SQLite, where the batcher committed it before publishing.
 */
import { type Channels, decodeEntry, entriesOfReply, type RawReadReply } from '@tap/channels';
import type { EventEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import type { OpenBet } from '@tap/settlement';
import type { BetChange } from '../settlement/startup-bets.js';

export type ChangeResult =
  | BetChange
  | { kind: 'ignored' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'unknown_cell'; betId: string };

export type FindOpenBet = (betId: string) => OpenBet | null;

const PAGE = 1_000;
const CLOSING = new Set(['won', 'lost', 'void', 'rejected']);

export function betChangeOf(event: EventEntry, findOpenBet: FindOpenBet): ChangeResult {
  if (event.type !== 'bet') return { kind: 'ignored' };
  if (CLOSING.has(event.status)) return { kind: 'closed', betId: event.betId };
  if (event.status !== 'accepted') return { kind: 'ignored' };
  if (event.bet) {
    const { t0, p0, windowMs, bandCents } = event.bet;
    return { kind: 'open', bet: { betId: event.betId, t0, p0, windowMs, bandCents } };
  }
  const found = findOpenBet(event.betId);
  return found ? { kind: 'open', bet: found } : { kind: 'unknown_cell', betId: event.betId };
}

export type EventReader = ReturnType<typeof createEventReader>;

export function createEventReader(redis: Redis, channels: Channels, findOpenBet: FindOpenBet) {
  const stream = channels.streams.events;
  const changeOf = (fields: string[] | null): ChangeResult => {
    if (fields === null) return { kind: 'ignored' };
    const decoded = decodeEntry('events', fields);
    return decoded.ok
      ? betChangeOf(decoded.value, findOpenBet)
      : { kind: 'malformed', reason: decoded.reason };
  };

  return {
    /** Every change since `fromMs` (stream-id time), in order; returns the cursor to follow from. */
    async replay(fromMs: number, visit: (change: ChangeResult) => void): Promise<string> {
      let cursor = `${Math.max(0, fromMs)}-0`;
      let start = cursor;
      for (;;) {
        const page = await redis.xrange(stream, start, '+', 'COUNT', PAGE);
        for (const [id, fields] of page) {
          visit(changeOf(fields));
          cursor = id;
        }
        if (page.length < PAGE) return cursor;
        start = `(${cursor}`;
      }
    },

    /** Changes after `cursor`, blocking up to `blockMs` for the first. */
    async readAfter(
      cursor: string,
      count: number,
      blockMs: number,
    ): Promise<{ cursor: string; changes: ChangeResult[] }> {
      const reply = (await redis.xread(
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        stream,
        cursor,
      )) as RawReadReply;
      const entries = entriesOfReply(reply);
      const last = entries[entries.length - 1];
      return { cursor: last ? last.id : cursor, changes: entries.map((e) => changeOf(e.fields)) };
    },
  };
}
