/**
 * Incremental parser of HTTP/1.1 responses framed by `Content-Length`, fed the raw data chunks of
 * one socket: a response may be split across chunks, and one chunk may hold several responses.
 * Only Content-Length framing is read — the servers under test (uWS) always send it — so a response
 * with `Transfer-Encoding` (`response_chunked`) or without a length (`response_without_length`) is
 * an error, as is a malformed head or one over HEAD_BYTES_MAX, or a body over BODY_BYTES_MAX. After
 * an error the parser ignores further input: the connection's framing is lost, so close it.
 * A body is handed over as a byte range of the chunk it arrived in (copied only when it spans
 * chunks): the load generator decodes only what it needs (a bet id, an error's code). A chunk may
 * be a reused read buffer, so whatever is kept across chunks is copied. The head is read from the
 * bytes too, never made into a string: this runs once per request the generator sends.
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
const HTTP_1 = Buffer.from('http/1.');
const CR = 13;
const SPACE = 32;
const TAB = 9;
const COLON = 58;
/** The three headers read, lower case, by their length (the only lengths compared). */
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');
const CLOSE = Buffer.from('close');

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
          : parseHead(buf, pos, headEnd);
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

/**
 * The head in `bytes[start, end)` (without its blank line): the status line and the three headers
 * that decide framing and reuse; every other header is skipped after finding its colon.
 */
export function parseHead(bytes: Buffer, start: number, end: number): Head {
  // `HTTP/1.x NNN reason`, where the reason may be empty or missing.
  const status = digitsOf(bytes, start + 9, Math.min(start + 12, end));
  const afterStatus = start + 12 < end ? bytes[start + 12] : SPACE;
  if (
    end - start < 12 ||
    !isName(bytes, start, start + HTTP_1.length, HTTP_1) ||
    bytes[start + 8] !== SPACE ||
    (afterStatus !== SPACE && afterStatus !== CR) ||
    status < 100
  ) {
    return { error: 'response_malformed' };
  }
  let length = -1;
  let close = false;
  for (let cr = bytes.indexOf(CR, start); cr !== -1 && cr < end; ) {
    const lineStart = cr + 2;
    const next = bytes.indexOf(CR, lineStart);
    const lineEnd = next === -1 || next > end ? end : next;
    let colon = lineStart;
    while (colon < lineEnd && bytes[colon] !== COLON) colon += 1;
    if (colon === lineEnd) return { error: 'response_malformed' };
    const [from, to] = trimmed(bytes, colon + 1, lineEnd);
    if (isName(bytes, lineStart, colon, CONTENT_LENGTH)) {
      const parsed = digitsOf(bytes, from, to);
      if (parsed === -1 || (length !== -1 && parsed !== length)) return { error: 'response_malformed' };
      length = parsed;
    } else if (isName(bytes, lineStart, colon, TRANSFER_ENCODING)) return { error: 'response_chunked' };
    else if (isName(bytes, lineStart, colon, CONNECTION)) close = holdsClose(bytes, from, to);
    cr = next;
  }
  // 204 and 304 answers never have a body (RFC 9112 §6.3); no request here asks for a 1xx.
  if (status === 204 || status === 304) return { status, length: 0, close };
  if (length === -1) return { error: 'response_without_length' };
  if (length > BODY_BYTES_MAX) return { error: 'response_too_large' };
  return { status, length, close };
}

/**
 * Whether `bytes[from, to)` is `expected` with letters in any case (`expected` is lower case; its
 * other bytes must match exactly).
 */
function isName(bytes: Buffer, from: number, to: number, expected: Buffer): boolean {
  if (to - from !== expected.length) return false;
  for (let i = 0; i < expected.length; i += 1) {
    const want = expected[i]!;
    const got = bytes[from + i]!;
    if (got !== want && !(want >= 97 && want <= 122 && got === want - 32)) return false;
  }
  return true;
}

/** `[from, to)` without the spaces and tabs around it. */
function trimmed(bytes: Buffer, from: number, to: number): [number, number] {
  let a = from;
  let b = to;
  while (a < b && (bytes[a] === SPACE || bytes[a] === TAB)) a += 1;
  while (b > a && (bytes[b - 1] === SPACE || bytes[b - 1] === TAB)) b -= 1;
  return [a, b];
}

/** Whether a Connection value holds the token `close`, in any case. */
function holdsClose(bytes: Buffer, from: number, to: number): boolean {
  for (let at = from; at + CLOSE.length <= to; at += 1)
    if (isName(bytes, at, at + CLOSE.length, CLOSE)) return true;
  return false;
}

/** Decimal digits only (no sign, exponent or blanks inside); -1 when it is not one. */
function digitsOf(bytes: Buffer, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i += 1) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}
