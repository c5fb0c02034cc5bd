/**
 * The load worker's requests, encoded to bytes before the measured phase so a request costs one
 * allocation and three copies: per wallet the request head with its session header (for GETs the
 * whole request, sent as it is), per cell the body's lead (with its Content-Length) and tail, and a
 * `clientBetId` per bet that is a UUID (the API requires one) made of this worker's random prefix
 * and a counter written as hex digits straight into the request's bytes — unique across workers
 * and runs on the same stack, without asking the OS for randomness or building a string per bet.
 * A Buffer, not a string: the socket writes it as it is (a string is flattened and encoded per
 * write). `readBetId` finds the bet id in a 202's bytes without parsing the JSON.
 */
import { randomUUID } from 'node:crypto';
import type { Cell } from './cell-picker.js';
import { encodeRequest, type Route } from './http-client.js';
import type { RequestKind, WalletSession } from './worker-protocol.js';

const MIN_MULTIPLIER_BP = 10_500;
const BODY_HEAD = '{"clientBetId":"';
const UUID_LENGTH = 36;
const COUNTER_HEX_DIGITS = 12;
const BET_ID_KEY = Buffer.from('"betId":"');
const QUOTE = 0x22;
const HEX_DIGITS = Buffer.from('0123456789abcdef');

interface CellText {
  /** `Content-Length: N` and the blank line, then the body up to the clientBetId's value. */
  lead: Buffer;
  /** The rest of the body after the clientBetId's value. */
  tail: Buffer;
}

export class RequestTexts {
  private readonly heads: Buffer[];
  /** 8-4-4-4- hex of a random v4 UUID: each bet appends a 12-digit counter. */
  private readonly idPrefix = Buffer.from(randomUUID().slice(0, UUID_LENGTH - COUNTER_HEX_DIGITS), 'latin1');
  private counter = 0;
  private readonly cellTexts = new WeakMap<Cell, CellText>();

  constructor(
    kind: RequestKind,
    route: Route,
    wallets: readonly WalletSession[],
    private readonly stakeMicros: number,
  ) {
    this.heads = wallets.map((w) => {
      const request = encodeRequest(route, { authorization: `Bearer ${w.token}` });
      // A POST's head stops before its Content-Length, which comes with the body's cell text.
      return Buffer.from(kind === 'bet' ? request.slice(0, -2) : request);
    });
  }

  /** The whole GET request of a wallet (no per-request work at all: the same bytes every time). */
  get(walletIndex: number): Buffer {
    return this.heads[walletIndex]!;
  }

  /** A bet on `cell` for a wallet, with a fresh clientBetId. */
  bet(walletIndex: number, cell: Cell): Buffer {
    const head = this.heads[walletIndex]!;
    const { lead, tail } = this.cellText(cell);
    const bytes = Buffer.allocUnsafe(head.length + lead.length + UUID_LENGTH + tail.length);
    bytes.set(head, 0);
    bytes.set(lead, head.length);
    const id = head.length + lead.length;
    bytes.set(this.idPrefix, id);
    this.counter += 1;
    let n = this.counter;
    for (let at = id + UUID_LENGTH - 1; at >= id + UUID_LENGTH - COUNTER_HEX_DIGITS; at -= 1) {
      bytes[at] = HEX_DIGITS[n % 16]!;
      n = Math.floor(n / 16);
    }
    bytes.set(tail, id + UUID_LENGTH);
    return bytes;
  }

  /** A cell's lead and tail, made once per cell object (the cell feed renews them at each refresh). */
  private cellText(cell: Cell): CellText {
    let text = this.cellTexts.get(cell);
    if (text === undefined) {
      const tail = `","t0":${cell.t0},"p0":${cell.p0},"stakeMicros":${this.stakeMicros},"minMultiplierBp":${MIN_MULTIPLIER_BP}}`;
      const length = BODY_HEAD.length + UUID_LENGTH + tail.length;
      text = {
        lead: Buffer.from(`Content-Length: ${length}\r\n\r\n${BODY_HEAD}`),
        tail: Buffer.from(tail),
      };
      this.cellTexts.set(cell, text);
    }
    return text;
  }
}

/** The `betId` string value in a JSON answer's bytes, or null when there is none. */
export function readBetId(bytes: Buffer, start: number, end: number): string | null {
  const key = bytes.indexOf(BET_ID_KEY, start);
  if (key === -1 || key >= end) return null;
  const from = key + BET_ID_KEY.length;
  const to = bytes.indexOf(QUOTE, from);
  if (to === -1 || to >= end) return null;
  return bytes.toString('latin1', from, to);
}
