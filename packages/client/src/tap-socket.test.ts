import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTapSocket, type SocketState, type WebSocketLike } from './tap-socket.js';
import type { ServerMessage } from './wire.js';

/** A WebSocket the test drives: it records what the client sends and is opened/closed by hand. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(message: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const USER = `0x${'a'.repeat(40)}`;
const betEvent = (id: string, betId = '01JBET0000000000000000000A') => ({
  type: 'bet',
  id,
  userId: USER,
  betId,
  status: 'accepted',
  balanceMicros: 1,
});

let sockets: FakeSocket[];
let received: ServerMessage[];
let states: { state: SocketState; delayMs?: number; code?: number }[];

function open(lastEventId?: string, random = () => 0.5) {
  return openTapSocket({
    url: 'ws://test/v1/ws',
    token: 'tok',
    lastEventId,
    connect: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    onMessage: (m) => received.push(m),
    onState: (state, detail) => states.push({ state, delayMs: detail.delayMs, code: detail.code }),
    heartbeatMs: 1_000,
    policy: { baseMs: 100, capMs: 1_000 },
    random,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  received = [];
  states = [];
});
afterEach(() => vi.useRealTimers());

describe('openTapSocket', () => {
  it('authenticates with the token and the last event id it was given', () => {
    open('1700000000000-3');
    sockets[0]!.open();
    expect(sockets[0]!.sent[0]).toEqual({ type: 'auth', token: 'tok', lastEventId: '1700000000000-3' });
  });

  it('resumes from the newest event id it saw after the connection drops', async () => {
    const socket = open();
    sockets[0]!.open();
    expect(sockets[0]!.sent[0]).toEqual({ type: 'auth', token: 'tok' });
    sockets[0]!.deliver({ type: 'ready', userId: USER, serverTime: 1 });
    sockets[0]!.deliver({ type: 'tick', t: 1, p: 1, sigma: 0, id: 99 });
    sockets[0]!.deliver(betEvent('1700000000000-9'));
    sockets[0]!.deliver(betEvent('1700000000001-0'));
    sockets[0]!.drop(1006);
    expect(socket.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    sockets[1]!.open();
    expect(sockets[1]!.sent[0]).toEqual({ type: 'auth', token: 'tok', lastEventId: '1700000000001-0' });
  });

  it("resumes from the gateway's position in ready when it saw no event before the drop", async () => {
    const seen: (string | undefined)[] = [];
    const socket = open();
    sockets[0]!.open();
    const ready = { type: 'ready', userId: USER, serverTime: 1, eventsId: '1700000000000-4' };
    sockets[0]!.deliver(ready);
    seen.push(socket.lastEventId);
    sockets[0]!.drop(1006);
    await vi.advanceTimersByTimeAsync(100);
    sockets[1]!.open();
    expect(sockets[1]!.sent[0]).toEqual({ type: 'auth', token: 'tok', lastEventId: '1700000000000-4' });
    sockets[1]!.deliver({ ...ready, eventsId: '1700000000009-0' });
    expect(socket.lastEventId).toBe('1700000000000-4');
    expect(seen).toEqual(['1700000000000-4']);
  });

  it('drops an event it has already seen (an outbox re-publish or a replay overlap)', () => {
    open();
    sockets[0]!.open();
    sockets[0]!.deliver(betEvent('1700000000010-0'));
    sockets[0]!.deliver(betEvent('1700000000009-5'));
    sockets[0]!.deliver(betEvent('1700000000010-0'));
    sockets[0]!.deliver(betEvent('1700000000010-1'));
    expect(received.map((m) => (m as { id: string }).id)).toEqual(['1700000000010-0', '1700000000010-1']);
  });

  it('waits a full-jitter delay that grows per failed attempt and resets once ready', async () => {
    open(undefined, () => 0.999);
    for (const expected of [99, 199, 399, 799, 999, 999]) {
      sockets.at(-1)!.drop(1013);
      expect(states.at(-1)).toEqual({ state: 'reconnecting', delayMs: expected, code: 1013 });
      await vi.advanceTimersByTimeAsync(expected);
    }
    sockets.at(-1)!.open();
    sockets.at(-1)!.deliver({ type: 'ready', userId: USER, serverTime: 1 });
    sockets.at(-1)!.drop(1001);
    expect(states.at(-1)?.delayMs).toBe(99);
  });

  it('stops for good on 4401: a dead session cannot be retried into life', async () => {
    const socket = open();
    sockets[0]!.drop(4401);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(socket.state).toBe('unauthorized');
  });

  it('pings every heartbeat and reconnects a socket that stays silent for three', async () => {
    open();
    sockets[0]!.open();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: 'ping' });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sockets[0]!.closedWith).toBe(4000);
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
  });

  it('forgets its cursor on resync, so the next reconnect does not ask for it again', async () => {
    const socket = open('1700000000000-0');
    sockets[0]!.open();
    sockets[0]!.deliver({ type: 'resync', reason: 'events_trimmed' });
    expect(socket.lastEventId).toBeUndefined();
    expect(received.at(-1)).toEqual({ type: 'resync', reason: 'events_trimmed' });
  });

  it('close() stops reconnecting and is idempotent', async () => {
    const socket = open();
    socket.close();
    socket.close();
    sockets[0]!.drop(1006);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(states.filter((s) => s.state === 'closed')).toHaveLength(1);
  });
});
