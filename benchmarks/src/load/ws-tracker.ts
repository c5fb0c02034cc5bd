/**
 * The WebSocket side of a load worker: one socket per tracked wallet on ws-gateway's `/v1/ws`
 * (`{type:"auth", token}` → `{type:"ready"}`), and the matching of each 202'd bet with its
 * `accepted`/`rejected` event. An event may arrive before its 202 is processed here (the batcher
 * can be faster than this event loop), so both orders are matched.
 */
import WebSocket from 'ws';
import type { WsReport } from './worker-protocol.js';

const CONNECT_BATCH = 100;
const READY_TIMEOUT_MS = 15_000;

interface Awaiting {
  plannedAbsMs: number;
  measured: boolean;
  plannedSecond: number;
}

export interface WsTrackerHooks {
  now: () => number;
  onMatched(awaiting: Awaiting, eventAtMs: number): void;
}

export class WsTracker {
  private readonly sockets: WebSocket[] = [];
  private readonly awaiting = new Map<string, Awaiting>();
  private readonly early = new Map<string, number>();
  private readonly statuses: Record<string, number> = {};
  private tracked = 0;
  private matched = 0;
  private ticks = 0;
  private closedEarly = 0;
  private closing = false;

  constructor(private readonly hooks: WsTrackerHooks) {}

  /** Opens and authenticates one socket per token, CONNECT_BATCH at a time. */
  async connect(url: string, tokens: readonly string[]): Promise<void> {
    for (let i = 0; i < tokens.length; i += CONNECT_BATCH) {
      await Promise.all(tokens.slice(i, i + CONNECT_BATCH).map((token) => this.open(url, token)));
    }
  }

  /** A 202 for a bet of a tracked wallet. */
  expect(betId: string, awaiting: Awaiting): void {
    this.tracked += 1;
    const eventAt = this.early.get(betId);
    if (eventAt === undefined) {
      this.awaiting.set(betId, awaiting);
      return;
    }
    this.early.delete(betId);
    this.matched += 1;
    this.hooks.onMatched(awaiting, eventAt);
  }

  pending(): number {
    return this.awaiting.size;
  }

  close(): void {
    this.closing = true;
    for (const socket of this.sockets) socket.terminate();
  }

  report(): WsReport {
    return {
      sockets: this.sockets.length,
      tracked: this.tracked,
      matched: this.matched,
      missing: this.awaiting.size,
      missingSample: [...this.awaiting.keys()].slice(0, 10),
      unmatched: this.early.size,
      statuses: this.statuses,
      ticks: this.ticks,
      closedEarly: this.closedEarly,
    };
  }

  private open(url: string, token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      let ready = false;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no {type:"ready"} within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
      socket.on('message', (data) => {
        const text = data.toString();
        if (ready) return this.onMessage(text);
        if (text.includes('"type":"ready"')) {
          ready = true;
          clearTimeout(timer);
          this.sockets.push(socket);
          resolve();
        } else if (text.includes('"type":"error"')) {
          clearTimeout(timer);
          reject(new Error(`ws auth refused: ${text}`));
        }
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        if (!ready) reject(err);
      });
      socket.on('close', () => {
        if (ready && !this.closing) this.closedEarly += 1;
      });
    });
  }

  private onMessage(text: string): void {
    if (text.startsWith('{"type":"tick"')) {
      this.ticks += 1;
      return;
    }
    const message = JSON.parse(text) as { type?: string; betId?: string; status?: string };
    if (message.type !== 'bet' || !message.betId || !message.status) return;
    this.statuses[message.status] = (this.statuses[message.status] ?? 0) + 1;
    if (message.status !== 'accepted' && message.status !== 'rejected') return;
    const at = this.hooks.now();
    const awaiting = this.awaiting.get(message.betId);
    if (!awaiting) {
      this.early.set(message.betId, at);
      return;
    }
    this.awaiting.delete(message.betId);
    this.matched += 1;
    this.hooks.onMatched(awaiting, at);
  }
}
