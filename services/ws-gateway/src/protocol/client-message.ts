/**
 * What a client may send on /v1/ws, validated strictly (SPEC §5: unknown fields, wrong types and
 * oversize messages never go further). Two messages exist: `auth` (must be the first) and `ping`
 * (an application-level keep-alive for clients that cannot see WebSocket pings).
 */

import { isStreamId } from '@tap/channels';
import { z } from 'zod';

/** Larger messages are refused; uWS closes the socket (1009) before they even reach us. */
export const CLIENT_MESSAGE_BYTES_MAX = 4_096;

const authMessageSchema = z
  .object({
    type: z.literal('auth'),
    token: z.string().min(1).max(256),
    lastEventId: z
      .string()
      .max(41)
      .refine(isStreamId, 'must be a stream id such as 1764000000000-0')
      .optional(),
  })
  .strict();

const pingMessageSchema = z.object({ type: z.literal('ping') }).strict();

export const clientMessageSchema = z.discriminatedUnion('type', [authMessageSchema, pingMessageSchema]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type AuthMessage = z.infer<typeof authMessageSchema>;

export type ParsedClientMessage =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: 'invalid_body'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `data` is only read during the call (uWS neuters its ArrayBuffer once the handler returns). */
export function parseClientMessage(data: ArrayBuffer | Uint8Array, isBinary: boolean): ParsedClientMessage {
  if (isBinary) return invalid('binary messages are not accepted; send JSON text');
  if (data.byteLength > CLIENT_MESSAGE_BYTES_MAX) {
    return invalid(`messages are limited to ${CLIENT_MESSAGE_BYTES_MAX} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(data));
  } catch {
    return invalid('the message is not JSON text');
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const reason = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`)
    .join('; ');
  return invalid(reason);
}

function invalid(message: string): ParsedClientMessage {
  return { ok: false, code: 'invalid_body', message };
}
