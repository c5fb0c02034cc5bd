import { describe, expect, it } from 'vitest';
import {
  parseHead as parseHeadBytes,
  type ResponseErrorCode,
  ResponseParser,
} from './http-response-parser.js';

/** The head's text at an offset inside a larger buffer, as the parser meets it. */
const parseHead = (head: string) => {
  const bytes = Buffer.from(`junk${head}\r\n\r\nbody`);
  return parseHeadBytes(bytes, 4, 4 + Buffer.byteLength(head));
};

function aResponse(overrides: { status?: string; headers?: string[]; body?: string } = {}): string {
  const body = overrides.body ?? '{"betId":"b-1"}';
  const headers = overrides.headers ?? [
    'Date: Wed, 02 Dec 2026 04:00:00 GMT',
    `Content-Length: ${body.length}`,
  ];
  return `HTTP/1.1 ${overrides.status ?? '202 Accepted'}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
}

function collect() {
  const answers: { status: number; body: string; close: boolean }[] = [];
  const errors: ResponseErrorCode[] = [];
  const parser = new ResponseParser({
    response: (status, bytes, start, end, close) =>
      answers.push({ status, body: bytes.toString('utf8', start, end), close }),
    error: (code) => errors.push(code),
  });
  return { parser, answers, errors };
}

describe('ResponseParser', () => {
  it('parses a response that arrives in one chunk', () => {
    const { parser, answers, errors } = collect();
    parser.push(Buffer.from(aResponse()));
    expect(answers).toEqual([{ status: 202, body: '{"betId":"b-1"}', close: false }]);
    expect(errors).toEqual([]);
  });

  it('parses a response split at every byte', () => {
    const { parser, answers } = collect();
    const bytes = Buffer.from(aResponse({ body: '{"note":"ünïcode"}', headers: ['content-length: 20'] }));
    for (let i = 0; i < bytes.length; i += 1) parser.push(bytes.subarray(i, i + 1));
    expect(answers).toEqual([{ status: 202, body: '{"note":"ünïcode"}', close: false }]);
  });

  it('parses several responses in one chunk, the last one split into the next chunk', () => {
    const { parser, answers } = collect();
    const bytes = Buffer.from(
      aResponse({ body: 'one' }) +
        aResponse({ status: '409 Conflict', body: 'two' }) +
        aResponse({ body: 'three' }),
    );
    parser.push(bytes.subarray(0, bytes.length - 2));
    expect(answers.map((a) => a.body)).toEqual(['one', 'two']);
    parser.push(bytes.subarray(bytes.length - 2));
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [202, 'one'],
      [409, 'two'],
      [202, 'three'],
    ]);
  });

  it('reports a chunked response as response_chunked and ignores what follows', () => {
    const { parser, answers, errors } = collect();
    parser.push(
      Buffer.from(aResponse({ headers: ['Transfer-Encoding: chunked'], body: '3\r\nabc\r\n0\r\n\r\n' })),
    );
    parser.push(Buffer.from(aResponse()));
    expect(errors).toEqual(['response_chunked']);
    expect(answers).toEqual([]);
  });

  it('reports a response without Content-Length as response_without_length', () => {
    const { parser, errors } = collect();
    parser.push(Buffer.from(aResponse({ headers: ['Date: now'] })));
    expect(errors).toEqual(['response_without_length']);
  });

  it('reports a head over 16 KiB as response_head_too_large', () => {
    const { parser, errors } = collect();
    parser.push(Buffer.from(`HTTP/1.1 200 OK\r\nX-Big: ${'x'.repeat(17_000)}`));
    expect(errors).toEqual(['response_head_too_large']);
  });
});

describe('parseHead', () => {
  it('reads the status, the length case-insensitively and Connection: close', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:  12 \r\nConnection: Close')).toEqual({
      status: 200,
      length: 12,
      close: true,
    });
  });

  it('reads only the head it is given, and Connection: close only as that token', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3')).toEqual({
      status: 200,
      length: 3,
      close: false,
    });
    expect(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive, CLOSE')).toEqual({
      status: 200,
      length: 3,
      close: true,
    });
    expect(parseHead('HTTP/1.1 200 OK')).toEqual({ error: 'response_without_length' });
  });

  it('accepts a status line without a reason phrase', () => {
    expect(parseHead('HTTP/1.1 503\r\nContent-Length: 0')).toEqual({ status: 503, length: 0, close: false });
  });

  it('gives 204 and 304 an empty body without a length', () => {
    expect(parseHead('HTTP/1.1 204 No Content')).toEqual({ status: 204, length: 0, close: false });
    expect(parseHead('HTTP/1.1 304 Not Modified\r\nETag: "x"')).toEqual({
      status: 304,
      length: 0,
      close: false,
    });
  });

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH_9.6'],
    ['a non-numeric status', 'HTTP/1.1 2x2 Accepted\r\nContent-Length: 0'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nContent-Length 5'],
    ['a signed length', 'HTTP/1.1 200 OK\r\nContent-Length: +5'],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6'],
  ])('rejects %s as response_malformed', (_, head) => {
    expect(parseHead(head)).toEqual({ error: 'response_malformed' });
  });

  it('rejects a body over 16 MiB as response_too_large', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 17000000')).toEqual({ error: 'response_too_large' });
  });
});
