/**
 * One HTTP exchange on uWS, as a plain object the handlers can await on. uWS's request object is
 * only valid synchronously inside the route callback, so `beginCall` copies what handlers need
 * (method, path, query, the few headers we read) up front and tracks whether the client went away.
 *
 * Bodies are read with a hard byte limit (SPEC §5: > 4 KiB is refused) and never buffered beyond
 * it; every answer is JSON, and every error is `{ error, message, …details }` with its code's status.
 */
import { STATUS_CODES } from 'node:http';
import { type ApiError, apiError, type ErrorCode, statusOf } from '@tap/domain';
import type { HttpRequest, HttpResponse } from '@tap/uws';

export interface HttpCall {
  res: HttpResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string as sent (undecoded): what a cache keys on. */
  rawQuery: string;
  contentType: string;
  authorization: string;
  aborted: boolean;
  answered: boolean;
  /** Route parameters, in the order the route pattern names them. */
  params: string[];
  /** The parsed JSON body; started at once because uWS drops body data that arrives before onData is set. */
  body: Promise<BodyResult>;
  /** Settles a body still being read when the client goes away (set while reading). */
  abortBody?: () => void;
}

const NO_BODY: Promise<BodyResult> = Promise.resolve({ ok: false, code: 'invalid_body' });

/** `bodyBytesMax` > 0 starts reading the JSON body now (POST routes). */
export function beginCall(res: HttpResponse, req: HttpRequest, paramCount = 0, bodyBytesMax = 0): HttpCall {
  const call: HttpCall = {
    res,
    method: req.getMethod().toUpperCase(),
    path: req.getUrl(),
    rawQuery: req.getQuery() ?? '',
    query: new URLSearchParams(req.getQuery() ?? ''),
    contentType: req.getHeader('content-type'),
    authorization: req.getHeader('authorization'),
    aborted: false,
    answered: false,
    params: Array.from({ length: paramCount }, (_, i) => req.getParameter(i) ?? ''),
    body: NO_BODY,
  };
  res.onAborted(() => {
    call.aborted = true;
    // A client that goes away mid-body (an aborted upload) must not leave its handler waiting
    // forever on a body that will never come: settle it, and the handler ends (its reply is a no-op).
    call.abortBody?.();
  });
  if (bodyBytesMax > 0) call.body = readJsonBody(call, bodyBytesMax);
  return call;
}

export function reply(
  call: HttpCall,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  replyEncoded(call, status, JSON.stringify(body), headers);
}

/** Answers a body already encoded as JSON (the reader worker's bytes are written as they are). */
export function replyEncoded(
  call: HttpCall,
  status: number,
  text: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  if (call.aborted || call.answered) return;
  call.answered = true;
  call.res.cork(() => {
    call.res.writeStatus(`${status} ${STATUS_CODES[status] ?? ''}`);
    call.res.writeHeader('content-type', 'application/json');
    if (!('cache-control' in headers)) call.res.writeHeader('cache-control', 'no-store');
    for (const [name, value] of Object.entries(headers)) call.res.writeHeader(name, value);
    call.res.end(text);
  });
}

export function replyError(
  call: HttpCall,
  code: ErrorCode,
  options: { message?: string; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
): void {
  const body: ApiError = apiError(code, options.message, options.details);
  reply(call, statusOf(code), body, options.headers);
}

export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; code: 'body_too_large' | 'invalid_body' | 'unsupported_media_type' };

/** Reads and parses a JSON body of at most `bytesMax` bytes. Refuses other content types. */
function readJsonBody(call: HttpCall, bytesMax: number): Promise<BodyResult> {
  if (!/^application\/json(\s*;|$)/i.test(call.contentType)) {
    return Promise.resolve({ ok: false, code: 'unsupported_media_type' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    call.abortBody = () => {
      if (done) return;
      done = true;
      chunks.length = 0;
      resolve({ ok: false, code: 'invalid_body' });
    };
    call.res.onData((chunk, isLast) => {
      if (done) return;
      received += chunk.byteLength;
      if (received > bytesMax) {
        done = true;
        resolve({ ok: false, code: 'body_too_large' });
        return;
      }
      // A body in one chunk (nearly every bet) is decoded from uWS's memory while it is valid, in
      // this callback; a body in several is copied, since uWS reuses a chunk's memory afterwards.
      const whole = isLast && chunks.length === 0;
      if (!whole) chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      done = true;
      try {
        const text = whole ? Buffer.from(chunk).toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve({ ok: true, value: JSON.parse(text) });
      } catch {
        resolve({ ok: false, code: 'invalid_body' });
      }
    });
  });
}

/** The bearer token of the Authorization header, or '' when there is none. */
export function bearerToken(call: HttpCall): string {
  const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(call.authorization);
  return match?.[1] ?? '';
}
