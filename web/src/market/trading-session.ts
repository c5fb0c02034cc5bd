/**
 * One signed-in trader's live state: the WebSocket (ticks, breaker, own events), the server clock,
 * the recent prints the chart draws, and the bet book. The canvas reads it every frame without
 * React; React components subscribe to `snapshot()`, which changes on events and at most 4 times a
 * second for prints (a re-render per print would cost more than the chart itself).
 */
import {
  type BreakerMessage,
  openTapSocket,
  type ServerMessage,
  type SocketState,
  type TapApi,
  type TapSocket,
} from '@tap/client';
import type { FillDelay, QuotablePrint } from '@tap/pricing';
import { applyToBook, type BetBook, type BookInput, emptyBook, refusedFillBp } from '../bets/bet-book.js';
import { createServerClock } from './server-clock.js';

/** Prints kept for the chart: 3 minutes at 10 prints/s. */
export const PRINTS_MAX = 1_800;
const SNAPSHOT_TICK_INTERVAL_MS = 250;
/** How much history the chart loads before going live. */
const BACKFILL_MS = 60_000;

export interface UiSnapshot {
  book: BetBook;
  socket: SocketState;
  breaker: Omit<BreakerMessage, 'type'> | null;
  lastPriceCents: number;
  /** The newest print as pricing reads it (S or the filtered index, σ, η, its time); t = 0 before the first. */
  print: QuotablePrint;
  /** Server time of the newest print; 0 before the first. */
  lastPrintT: number;
  venues: number | null;
  /**
   * Bumped on `resync` and on a `ready` with no event id to resume from (the first connection):
   * the page reloads balance and bets over HTTP, since events published before that socket was
   * ready, or no longer retained, are not replayed.
   */
  reloads: number;
}

export interface Prints {
  t: Float64Array;
  p: Float64Array;
  /** Index of the oldest print; count of prints held. */
  start: number;
  count: number;
}

export class TradingSession {
  readonly clock = createServerClock();
  readonly prints: Prints = {
    t: new Float64Array(PRINTS_MAX),
    p: new Float64Array(PRINTS_MAX),
    start: 0,
    count: 0,
  };
  private state: UiSnapshot;
  private socket: TapSocket | null = null;
  private listeners = new Set<() => void>();
  private lastTickNotifyMs = 0;
  /** Bet and balance events received: an HTTP answer requested before the last one is older. */
  eventsSeen = 0;
  private stopped = false;
  /** Bets whose refused fill price was asked for (a replayed event does not ask again). */
  private readonly refusalsPriced = new Set<string>();

  constructor(
    readonly api: TapApi,
    private readonly wsUrl: string,
    availableMicros: number,
    /** How the server fills bets (`GET /v1/me`'s `fill`): the grid quotes at the expected fill with it. */
    readonly fill: FillDelay | null = null,
  ) {
    this.state = {
      book: emptyBook(availableMicros),
      socket: 'connecting',
      breaker: null,
      lastPriceCents: 0,
      print: { t: 0, priceCents: 0, sigma: 0, noise: 0 },
      lastPrintT: 0,
      venues: null,
      reloads: 0,
    };
  }

  /** Draws the last minute from the stored prints first, then goes live. */
  async start(): Promise<void> {
    if (!this.api.token || this.socket) return;
    const to = Date.now();
    const history = await this.api.indexPrints({ from: to - BACKFILL_MS, to });
    if (history.ok && this.prints.count === 0) {
      for (const print of history.value.prints) {
        this.addPrint(print);
      }
    }
    if (this.stopped) return;
    this.socket = openTapSocket({
      url: this.wsUrl,
      token: this.api.token,
      onMessage: (message) => this.receive(message),
      onState: (socket) => this.set({ socket }),
    });
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
    this.socket = null;
    this.listeners.clear();
  }

  /** Server time now, by the clock aligned to the prints. */
  now(): number {
    return this.clock.now(performance.timeOrigin + performance.now());
  }

  snapshot = (): UiSnapshot => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispatch(input: BookInput): void {
    this.set({ book: applyToBook(this.state.book, input) });
  }

  setVenues(venues: number | null): void {
    if (venues !== this.state.venues) this.set({ venues });
  }

  private receive(message: ServerMessage): void {
    const localMs = performance.timeOrigin + performance.now();
    switch (message.type) {
      case 'ready':
        this.clock.observe(message.serverTime, localMs);
        // Resuming from an event id replays what was missed; without one, reload over HTTP.
        if (this.socket?.lastEventId === undefined) this.set({ reloads: this.state.reloads + 1 });
        return;
      case 'tick':
        this.clock.observe(message.t, localMs);
        this.addPrint({ ...message, priceCents: message.p });
        return;
      case 'breaker':
        this.set({ breaker: { state: message.state, reason: message.reason, since: message.since } });
        return;
      case 'bet':
        this.eventsSeen += 1;
        this.dispatch({ type: 'event', event: message });
        if (message.status === 'rejected' && message.reason === 'quote_moved')
          void this.priceRefusal(message.betId);
        return;
      case 'balance':
        this.eventsSeen += 1;
        this.dispatch({ type: 'balance', balanceMicros: message.balanceMicros });
        return;
      case 'resync':
        this.set({ reloads: this.state.reloads + 1 });
        return;
      default:
        return;
    }
  }

  /**
   * A fill refused `quote_moved` is stored with the multiplier its print gave (services/batcher
   * "Next-tick fills"); the event does not carry it, so the bet list asks once, to say by how much.
   */
  private async priceRefusal(betId: string): Promise<void> {
    if (this.refusalsPriced.has(betId)) return;
    this.refusalsPriced.add(betId);
    const bet = await this.api.getBet(betId);
    const multiplierBp = bet.ok ? refusedFillBp(bet.value) : null;
    if (multiplierBp === null || this.stopped) return;
    this.dispatch({ type: 'refusal_priced', betId, multiplierBp });
  }

  private addPrint(print: QuotablePrint): void {
    const { t, priceCents: p } = print;
    const prints = this.prints;
    const newest = prints.t[(prints.start + prints.count - 1 + PRINTS_MAX) % PRINTS_MAX] ?? 0;
    // A replayed or backfilled print older than the newest drawn one would draw the line backwards.
    if (prints.count > 0 && t <= newest) return;
    const at = (prints.start + prints.count) % PRINTS_MAX;
    prints.t[at] = t;
    prints.p[at] = p;
    if (prints.count < PRINTS_MAX) prints.count += 1;
    else prints.start = (prints.start + 1) % PRINTS_MAX;
    const wall = Date.now();
    const patch = { lastPriceCents: p, print, lastPrintT: t };
    if (wall - this.lastTickNotifyMs >= SNAPSHOT_TICK_INTERVAL_MS) {
      this.lastTickNotifyMs = wall;
      this.set(patch);
    } else {
      this.state = { ...this.state, ...patch };
    }
  }

  private set(patch: Partial<UiSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}
