/**
 * The load worker's request texts, encoded before the measured phase so a request costs one string
 * concatenation: per wallet the request head with its session header (for GETs the whole request),
 * per cell the body's tail with its Content-Length, and a `clientBetId` per bet that is a UUID
 * (the API requires one) made of this worker's random prefix and a counter — unique across workers
 * and runs on the same stack, without asking the OS for randomness per bet. `readBetId` finds the
 * bet id in a 202's bytes without parsing the JSON.
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

interface CellText {
  /** `Content-Length: N` and the blank line, then the body up to the clientBetId's value. */
  lead: string;
  /** The rest of the body after the clientBetId's value. */
  tail: string;
}

export class RequestTexts {
  private readonly heads: string[];
  /** 8-4-4-4- hex of a random v4 UUID: each bet appends a 12-digit counter. */
  private readonly idPrefix = randomUUID().slice(0, UUID_LENGTH - COUNTER_HEX_DIGITS);
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
      return kind === 'bet' ? request.slice(0, -2) : request;
    });
  }

  /** The whole GET request of a wallet (no per-request work at all). */
  get(walletIndex: number): string {
    return this.heads[walletIndex]!;
  }

  /** A bet on `cell` for a wallet, with a fresh clientBetId. */
  bet(walletIndex: number, cell: Cell): string {
    const text = this.cellText(cell);
    this.counter += 1;
    const id = this.idPrefix + this.counter.toString(16).padStart(COUNTER_HEX_DIGITS, '0');
    return this.heads[walletIndex]! + text.lead + id + text.tail;
  }

  /** A cell's lead and tail, made once per cell object (the cell feed renews them at each refresh). */
  private cellText(cell: Cell): CellText {
    let text = this.cellTexts.get(cell);
    if (text === undefined) {
      const tail = `","t0":${cell.t0},"p0":${cell.p0},"stakeMicros":${this.stakeMicros},"minMultiplierBp":${MIN_MULTIPLIER_BP}}`;
      const length = BODY_HEAD.length + UUID_LENGTH + tail.length;
      text = { lead: `Content-Length: ${length}\r\n\r\n${BODY_HEAD}`, tail };
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
