/**
 * Incremental parser of HTTP/1.1 responses framed by `Content-Length`, fed the raw data chunks of
 * one socket: a response may be split across chunks, and one chunk may hold several responses.
 * Only Content-Length framing is read — the servers under test (uWS) always send it — so a response
 * with `Transfer-Encoding` (`response_chunked`) or without a length (`response_without_length`) is
 * an error, as is a malformed head or one over HEAD_BYTES_MAX, or a body over BODY_BYTES_MAX. After
 * an error the parser ignores further input: the connection's framing is lost, so close it.
 * A body is handed over as a byte range of the chunk it arrived in (copied only when it spans
 * chunks): the load generator decodes only what it needs (a bet id, an error's code). A chunk may
 * be a reused read buffer, so whatever is kept across chunks is copied.
 */

export type ResponseErrorCode =
  | 'response_chunked'
  | 'response_without_length'
  | 'response_malformed'
  | 'response_head_too_large'
  | 'response_too_large';

export interface ResponseEvents {
  /**
   * The body is `bytes[start, end)`, valid only during the call. `close`: the server said
   * `Connection: close`, so the socket must not be reused.
   */
  response(status: number, bytes: Buffer, start: number, end: number, close: boolean): void;
  error(code: ResponseErrorCode): void;
}

const HEAD_BYTES_MAX = 16 * 1024;
const BODY_BYTES_MAX = 16 * 1024 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

type Head = { status: number; length: number; close: boolean } | { error: ResponseErrorCode };

export class ResponseParser {
  /** Bytes of a head whose end has not arrived yet. */
  private partialHead: Buffer | null = null;
  private inBody = false;
  private failed = false;
  private status = 0;
  private close = false;
  private bodyRemaining = 0;
  private bodyParts: Buffer[] = [];

  constructor(private readonly events: ResponseEvents) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.partialHead !== null) {
      buf = Buffer.concat([this.partialHead, chunk]);
      this.partialHead = null;
    }
    let pos = 0;
    while (pos < buf.length && !this.failed) {
      if (this.inBody) {
        pos = this.readBody(buf, pos);
        continue;
      }
      const headEnd = buf.indexOf(HEAD_END, pos);
      if (headEnd === -1) {
        if (buf.length - pos > HEAD_BYTES_MAX) this.fail('response_head_too_large');
        else this.partialHead = Buffer.from(buf.subarray(pos)); // a copy: the caller reuses its buffer
        return;
      }
      const head =
        headEnd - pos > HEAD_BYTES_MAX
          ? { error: 'response_head_too_large' as const }
          : parseHead(buf.toString('latin1', pos, headEnd));
      if ('error' in head) {
        this.fail(head.error);
        return;
      }
      pos = headEnd + HEAD_END.length;
      // The common case: the whole body is in this chunk.
      if (head.length <= buf.length - pos) {
        const start = pos;
        pos += head.length;
        this.events.response(head.status, buf, start, pos, head.close);
        continue;
      }
      this.inBody = true;
      this.status = head.status;
      this.close = head.close;
      this.bodyRemaining = head.length;
      this.bodyParts = [];
    }
  }

  private readBody(buf: Buffer, pos: number): number {
    const take = Math.min(this.bodyRemaining, buf.length - pos);
    this.bodyParts.push(Buffer.from(buf.subarray(pos, pos + take))); // a copy, as above
    this.bodyRemaining -= take;
    if (this.bodyRemaining === 0) {
      this.inBody = false;
      const body = Buffer.concat(this.bodyParts);
      this.bodyParts = [];
      this.events.response(this.status, body, 0, body.length, this.close);
    }
    return pos + take;
  }

  private fail(code: ResponseErrorCode): void {
    this.failed = true;
    this.partialHead = null;
    this.bodyParts = [];
    this.events.error(code);
  }
}

/** Status line and the three headers that decide framing and reuse; every other header is skipped. */
export function parseHead(head: string): Head {
  // `HTTP/1.x NNN reason`, where the reason may be empty or missing.
  const afterStatus = head.charCodeAt(12);
  const statusEnds = Number.isNaN(afterStatus) || afterStatus === 32 || afterStatus === 13;
  const status = parseLength(head.slice(9, 12));
  if (!head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32 || !statusEnds || status < 100) {
    return { error: 'response_malformed' };
  }
  let length = -1;
  let close = false;
  let line = head.indexOf('\r\n');
  while (line !== -1) {
    const start = line + 2;
    const next = head.indexOf('\r\n', start);
    const end = next === -1 ? head.length : next;
    const colon = head.indexOf(':', start);
    if (colon === -1 || colon > end) return { error: 'response_malformed' };
    const nameLength = colon - start;
    if (nameLength === 14 || nameLength === 17 || nameLength === 10) {
      const name = head.slice(start, colon).toLowerCase();
      const value = head.slice(colon + 1, end).trim();
      if (name === 'content-length') {
        const parsed = parseLength(value);
        if (parsed === -1 || (length !== -1 && parsed !== length)) return { error: 'response_malformed' };
        length = parsed;
      } else if (name === 'transfer-encoding') return { error: 'response_chunked' };
      else if (name === 'connection') close = value.toLowerCase().includes('close');
    }
    line = next;
  }
  // 204 and 304 answers never have a body (RFC 9112 §6.3); no request here asks for a 1xx.
  if (status === 204 || status === 304) return { status, length: 0, close };
  if (length === -1) return { error: 'response_without_length' };
  if (length > BODY_BYTES_MAX) return { error: 'response_too_large' };
  return { status, length, close };
}

/** Decimal digits only (no sign, exponent or blanks inside); -1 when it is not one. */
function parseLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i += 1) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}
