/**
 * What the gateway sends on /v1/ws, serialized. The schemas, the wire contract clients and tests
 * validate against, live in `@tap/domain` (ws-messages.ts); the builders here are typed against them
 * and return the text, because a topic publish serializes a message once for every subscriber.
 */
import assert from 'node:assert/strict';
import { decodeEntry, entryJson } from '@tap/channels';
import {
  type BreakerMessage,
  ERROR_CODES,
  type ErrorCode,
  type ErrorMessage,
  type EventEntry,
  type PongMessage,
  type PrintEntry,
  type ReadyMessage,
  type ResyncMessage,
  type ResyncReason,
  type TickMessage,
} from '@tap/domain';

export type BreakerView = Omit<BreakerMessage, 'type'>;

/** `eventsId`: the live reader's position (every user event after it reaches the socket). */
export function readyMessage(userId: string, serverTime: number, eventsId: string): string {
  return JSON.stringify({ type: 'ready', userId, serverTime, eventsId } satisfies ReadyMessage);
}

export function tickMessage(print: PrintEntry): string {
  const tick = {
    type: 'tick',
    t: print.t,
    p: print.priceCents,
    sigma: print.sigma,
    noise: print.noise ?? 0,
    ...(print.filteredCents === undefined || print.filteredNoise === undefined
      ? {}
      : { filteredCents: print.filteredCents, filteredNoise: print.filteredNoise }),
    id: print.id,
  } as const;
  return JSON.stringify(tick satisfies TickMessage);
}

export function breakerMessage(view: BreakerView): string {
  const { state, reason, since } = view;
  return JSON.stringify({ type: 'breaker', state, reason, since } satisfies BreakerMessage);
}

/** An event entry as the text of its message, or why the entry was refused. */
export type EventMessageText =
  | { ok: true; event: EventEntry; message: string }
  | { ok: false; reason: string };

/**
 * A `tap:events` entry → its message. The entry is decoded and validated like every entry, then the
 * message is the entry's own JSON text with `,"id":"<streamId>"` spliced in before the closing
 * brace, instead of serializing the event a second time. The text validated as an object, so the
 * message has exactly the entry's keys and values plus `id` (which the strict event schema keeps
 * out of the entry). For the batcher's JSON.stringify output it is byte for byte what
 * JSON.stringify({ ...entry, id }) would write; other spacing or key order passes through as is.
 */
export function eventMessage(streamId: string, fields: readonly string[]): EventMessageText {
  const decoded = decodeEntry('events', fields);
  if (!decoded.ok) return decoded;
  const json = entryJson(fields) ?? '';
  const end = json.lastIndexOf('}');
  assert(end > 0, 'a decoded event entry is a JSON object');
  const message = `${json.slice(0, end)},"id":${JSON.stringify(streamId)}}`;
  return { ok: true, event: decoded.value, message };
}

export function resyncMessage(reason: ResyncReason): string {
  return JSON.stringify({ type: 'resync', reason } satisfies ResyncMessage);
}

export function errorMessage(error: ErrorCode, message: string = ERROR_CODES[error].message): string {
  return JSON.stringify({ type: 'error', error, message } satisfies ErrorMessage);
}

export function pongMessage(serverTime: number): string {
  return JSON.stringify({ type: 'pong', serverTime } satisfies PongMessage);
}
