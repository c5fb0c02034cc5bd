/**
 * What ws-gateway sends on /v1/ws (SPEC §11), as schemas: the one wire contract that the gateway's
 * builders are typed against, its tests validate with, and `@tap/client` takes its message types
 * from (type-only, so nothing of this reaches a browser bundle but the types).
 */
import { z } from 'zod';
import { BREAKER_STATES, eventEntrySchema, userIdSchema } from './entries.js';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

const ms = () => z.number().int().nonnegative();
const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const RESYNC_REASONS = ['events_trimmed', 'events_unknown', 'replay_overflow'] as const;
export type ResyncReason = (typeof RESYNC_REASONS)[number];

/**
 * `ready`: the socket is authenticated; `serverTime` aligns the client's clock. `eventsId`: the
 * gateway's position in `tap:events` when the socket was subscribed — every later event of the
 * user reaches this socket, so a client that has seen no event yet resumes from it (without it, a
 * socket lost before its first event could not ask for what it missed).
 */
export const readyMessageSchema = z
  .object({
    type: z.literal('ready'),
    userId: userIdSchema,
    serverTime: ms(),
    eventsId: z
      .string()
      .regex(/^\d+-\d+$/)
      .optional(),
  })
  .strict();
export const tickMessageSchema = z
  .object({
    type: z.literal('tick'),
    t: ms(),
    p: z.number().int().positive(),
    sigma: z.number().nonnegative(),
    /** η, the print micro-noise: the display prices with quoteCell(σ, η) like the server. */
    noise: z.number().nonnegative(),
    /** The print's filtered index and its error when price-ingest prints one (issue 22): the display prices from it. */
    filteredCents: z.number().int().positive().optional(),
    filteredNoise: z.number().nonnegative().optional(),
    id: z.number().int().nonnegative(),
  })
  .strict();
export const breakerMessageSchema = z
  .object({ type: z.literal('breaker'), state: z.enum(BREAKER_STATES), reason: z.string(), since: ms() })
  .strict();
export const resyncMessageSchema = z
  .object({ type: z.literal('resync'), reason: z.enum(RESYNC_REASONS) })
  .strict();
export const errorMessageSchema = z
  .object({ type: z.literal('error'), error: z.enum(errorCodes), message: z.string() })
  .strict();
export const pongMessageSchema = z.object({ type: z.literal('pong'), serverTime: ms() }).strict();

/** A `tap:events` entry as the batcher wrote it, plus `id`, its stream id (the resume cursor). */
const [betEventSchema, balanceEventSchema, ...otherEventSchemas] = eventEntrySchema.options;
// A new event type must be listed below too; this line stops compiling until it is.
const noOtherEvents: [] = otherEventSchemas;
const withStreamId = { id: z.string() };
const betEventMessageSchema = betEventSchema.extend(withStreamId);
const balanceEventMessageSchema = balanceEventSchema.extend(withStreamId);

export const serverMessageSchema = z.discriminatedUnion('type', [
  readyMessageSchema,
  tickMessageSchema,
  breakerMessageSchema,
  resyncMessageSchema,
  errorMessageSchema,
  pongMessageSchema,
  betEventMessageSchema,
  balanceEventMessageSchema,
  ...noOtherEvents,
]);

export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ReadyMessage = z.infer<typeof readyMessageSchema>;
export type TickMessage = z.infer<typeof tickMessageSchema>;
export type BreakerMessage = z.infer<typeof breakerMessageSchema>;
export type ResyncMessage = z.infer<typeof resyncMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type PongMessage = z.infer<typeof pongMessageSchema>;
export type BetEventMessage = z.infer<typeof betEventMessageSchema>;
export type BalanceEventMessage = z.infer<typeof balanceEventMessageSchema>;
export type EventMessage = BetEventMessage | BalanceEventMessage;
