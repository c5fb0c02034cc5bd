import { describe, expect, it } from 'vitest';
import { ResponseParser } from './http-response-parser.js';
import { RequestTexts, readBetId } from './request-texts.js';

const route = {
  head: 'POST /v1/bets HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: keep-alive\r\ncontent-type: application/json\r\n',
};
const wallets = [
  { userId: '0xa', token: 'tok-a' },
  { userId: '0xb', token: 'tok-b' },
];

/** The request split into its head lines and its body, as a server reads it. */
function split(request: string) {
  const [head, body] = request.split('\r\n\r\n') as [string, string];
  const lines = head.split('\r\n');
  const length = Number(lines.find((l) => l.startsWith('Content-Length: '))?.slice(16));
  return { lines, body, length };
}

describe('RequestTexts', () => {
  it('encodes a bet with its wallet’s session, a UUID clientBetId and the exact Content-Length', () => {
    const texts = new RequestTexts('bet', route, wallets, 1_000_000);
    const { lines, body, length } = split(texts.bet(1, { t0: 1_700_000_010_000, p0: 9_000_000 }).toString());
    expect(lines).toContain('authorization: Bearer tok-b');
    expect(length).toBe(Buffer.byteLength(body));
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(parsed).toEqual({
      clientBetId: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      t0: 1_700_000_010_000,
      p0: 9_000_000,
      stakeMicros: 1_000_000,
      minMultiplierBp: 10_500,
    });
  });

  it('gives every bet its own clientBetId, also across two workers’ texts', () => {
    const cell = { t0: 1, p0: 2 };
    const a = new RequestTexts('bet', route, wallets, 1);
    const b = new RequestTexts('bet', route, wallets, 1);
    const ids = [a, a, a, b, b].map(
      (texts) =>
        (JSON.parse(split(texts.bet(0, cell).toString()).body) as { clientBetId: string }).clientBetId,
    );
    expect(new Set(ids).size).toBe(5);
  });

  it('numbers the bets of one worker in the UUID’s last 12 hex digits', () => {
    const texts = new RequestTexts('bet', route, wallets, 1);
    const idOf = () =>
      (JSON.parse(split(texts.bet(0, { t0: 1, p0: 2 }).toString()).body) as { clientBetId: string })
        .clientBetId;
    const ids = Array.from({ length: 300 }, idOf);
    expect(ids[0]!.slice(-12)).toBe('000000000001');
    expect(ids[16]!.slice(-12)).toBe('000000000011');
    expect(ids[299]!.slice(-12)).toBe('00000000012c');
    expect(new Set(ids.map((id) => id.slice(0, 24))).size).toBe(1);
  });

  it('encodes a GET once per wallet, ending with the blank line', () => {
    const get = { head: 'GET /v1/me HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n' };
    const texts = new RequestTexts('me', get, wallets, 0);
    expect(texts.get(0).toString()).toBe(
      'GET /v1/me HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nauthorization: Bearer tok-a\r\n\r\n',
    );
  });
});

describe('readBetId', () => {
  it('reads the bet id from the body range of an answer and nothing outside it', () => {
    const bytes = Buffer.from('xx{"betId":"01JBET","status":"pending"}{"betId":"OTHER"}');
    expect(readBetId(bytes, 2, 39)).toBe('01JBET');
    expect(readBetId(bytes, 39 - 10, 39)).toBeNull();
    expect(readBetId(Buffer.from('{"error":"x"}'), 0, 13)).toBeNull();
  });

  it('reads it from what the response parser hands over', () => {
    const ids: (string | null)[] = [];
    const parser = new ResponseParser({
      response: (_status, bytes, start, end) => ids.push(readBetId(bytes, start, end)),
      error: () => undefined,
    });
    const body = '{"betId":"b-1","status":"pending","multiplierBp":20000}';
    parser.push(Buffer.from(`HTTP/1.1 202 Accepted\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    expect(ids).toEqual(['b-1']);
  });
});
