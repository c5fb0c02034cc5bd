/**
 * What the gateway sends on /v1/ws. The schemas are the wire contract (clients and tests validate
 * against them); the builders return the serialized text, because a topic publish serializes a
 * message once for every subscriber.
 */
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
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type BreakerMessage = z.infer<typeof breakerSchema>;
export type BreakerView = Omit<BreakerMessage, 'type'>;

export function readyMessage(userId: string, serverTime: number): string {
  return JSON.stringify({ type: 'ready', userId, serverTime } satisfies z.infer<typeof readySchema>);
}

export function tickMessage(print: PrintEntry): string {
  const tick = { type: 'tick', t: print.t, p: print.priceCents, sigma: print.sigma, id: print.id } as const;
  return JSON.stringify(tick satisfies z.infer<typeof tickSchema>);
}

export function breakerMessage(view: BreakerView): string {
  const { state, reason, since } = view;
  return JSON.stringify({ type: 'breaker', state, reason, since } satisfies BreakerMessage);
}

export function eventMessage(event: EventEntry, streamId: string): string {
  return JSON.stringify({ ...event, id: streamId } satisfies z.infer<typeof eventSchema>);
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
