/**
 * What the gateway sends on /v1/ws. The schemas are the wire contract (clients and tests validate
 * against them); the builders return the serialized text, because a topic publish serializes a
 * message once for every subscriber.
 */
import assert from 'node:assert/strict';
import { decodeEntry, entryJson } from '@tap/channels';
import {
  BREAKER_STATES,
  ERROR_CODES,
  type ErrorCode,
  type EventEntry,
  eventEntrySchema,
  type PrintEntry,
  userIdSchema,
} from '@tap/domain';
import { z } from 'zod';

const ms = () => z.number().int().nonnegative();
const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
export const RESYNC_REASONS = ['events_trimmed', 'events_unknown', 'replay_overflow'] as const;
export type ResyncReason = (typeof RESYNC_REASONS)[number];

const readySchema = z.object({ type: z.literal('ready'), userId: userIdSchema, serverTime: ms() }).strict();
const tickSchema = z
  .object({
    type: z.literal('tick'),
    t: ms(),
    p: z.number().int().positive(),
    sigma: z.number().nonnegative(),
    /** η, the print micro-noise: the display prices with quoteCell(σ, η) like the server. */
    noise: z.number().nonnegative(),
    id: z.number().int().nonnegative(),
  })
  .strict();
const breakerSchema = z
  .object({ type: z.literal('breaker'), state: z.enum(BREAKER_STATES), reason: z.string(), since: ms() })
  .strict();
const resyncSchema = z.object({ type: z.literal('resync'), reason: z.enum(RESYNC_REASONS) }).strict();
const errorSchema = z
  .object({ type: z.literal('error'), error: z.enum(errorCodes), message: z.string() })
  .strict();
const pongSchema = z.object({ type: z.literal('pong'), serverTime: ms() }).strict();
/** A `tap:events` entry as the batcher wrote it, plus `id`, its stream id (the resume cursor). */
const [betEventSchema, balanceEventSchema, ...otherEventSchemas] = eventEntrySchema.options;
// A new event type in @tap/domain must be listed below too; this line stops compiling until it is.
const noOtherEvents: [] = otherEventSchemas;
const withStreamId = { id: z.string() };
const eventSchema = z.discriminatedUnion('type', [
  betEventSchema.extend(withStreamId),
  balanceEventSchema.extend(withStreamId),
]);

export const serverMessageSchema = z.discriminatedUnion('type', [
  readySchema,
  tickSchema,
  breakerSchema,
  resyncSchema,
  errorSchema,
  pongSchema,
  ...eventSchema.options,
  ...noOtherEvents,
]);
export type BreakerMessage = z.infer<typeof breakerSchema>;
export type BreakerView = Omit<BreakerMessage, 'type'>;

export function readyMessage(userId: string, serverTime: number): string {
  return JSON.stringify({ type: 'ready', userId, serverTime } satisfies z.infer<typeof readySchema>);
}

export function tickMessage(print: PrintEntry): string {
  const tick = {
    type: 'tick',
    t: print.t,
    p: print.priceCents,
    sigma: print.sigma,
    noise: print.noise ?? 0,
    id: print.id,
  } as const;
  return JSON.stringify(tick satisfies z.infer<typeof tickSchema>);
}

export function breakerMessage(view: BreakerView): string {
  const { state, reason, since } = view;
  return JSON.stringify({ type: 'breaker', state, reason, since } satisfies BreakerMessage);
}

export type EventMessage = { ok: true; event: EventEntry; message: string } | { ok: false; reason: string };

/**
 * A `tap:events` entry → its message. The entry is decoded and validated like every entry, then the
 * message is the entry's own JSON text with `,"id":"<streamId>"` spliced in before the closing
 * brace, instead of serializing the event a second time. The text validated as an object, so the
 * message has exactly the entry's keys and values plus `id` (which the strict event schema keeps
 * out of the entry). For the batcher's JSON.stringify output it is byte for byte what
 * JSON.stringify({ ...entry, id }) would write; other spacing or key order passes through as is.
 */
export function eventMessage(streamId: string, fields: readonly string[]): EventMessage {
  const decoded = decodeEntry('events', fields);
  if (!decoded.ok) return decoded;
  const json = entryJson(fields) ?? '';
  const end = json.lastIndexOf('}');
  assert(end > 0, 'a decoded event entry is a JSON object');
  const message = `${json.slice(0, end)},"id":${JSON.stringify(streamId)}}`;
  return { ok: true, event: decoded.value, message };
}

export function resyncMessage(reason: ResyncReason): string {
  return JSON.stringify({ type: 'resync', reason } satisfies z.infer<typeof resyncSchema>);
}

export function errorMessage(error: ErrorCode, message: string = ERROR_CODES[error].message): string {
  return JSON.stringify({ type: 'error', error, message } satisfies z.infer<typeof errorSchema>);
}

export function pongMessage(serverTime: number): string {
  return JSON.stringify({ type: 'pong', serverTime } satisfies z.infer<typeof pongSchema>);
}
