import { compareStreamIds, encodeEntry } from '@tap/channels';
import type { EventEntry } from '@tap/domain';
import { createMetricsRegistry, type Redis } from '@tap/runtime';
import { describe, expect, it } from 'vitest';
import { EventFeed } from '../feeds/event-feed.js';
import { createGatewayMetrics } from '../gateway-metrics.js';
import { TOPICS } from '../protocol/topics.js';
import { FakeClientSocket } from '../session/fake-client-socket.js';
import { CatchUps } from './catch-ups.js';
import { createReplayer } from './replay-events.js';
import type { StreamEntry } from './user-events.js';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';

/**
 * tap:events in memory, with the commands the replayer uses. `onCommand` runs before each reply,
 * while the replayer awaits it: that is where the live reader moves on in real life.
 */
function eventsWorld(options: { pageSize: number; bufferMax?: number }) {
  const stream: StreamEntry[] = [];
  let seq = 0;

  const socket = new FakeClientSocket();
  const catchUps = new CatchUps(options.bufferMax ?? 100);
  const feed = new EventFeed({
    startId: '0-0',
    catchUps,
    publish: (topic, message) => socket.deliver(topic, message),
    onMalformed: () => {},
  });
  const append = (userId: string) => {
    seq += 1;
    const event: EventEntry = {
      type: 'balance',
      userId,
      balanceMicros: seq,
      refType: 'deposit',
      refId: `d${seq}`,
    };
    const entry: StreamEntry = [`${seq}-0`, encodeEntry('events', event)];
    stream.push(entry);
    return entry;
  };
  /** An entry appended and read by the live reader at once. */
  const live = (userId: string) => feed.onEntries([append(userId)]);
  const range = (start: string, end: string, count: number) =>
    stream
      .filter(([id]) => compareStreamIds(id, start.slice(1)) > 0 && compareStreamIds(id, end) <= 0)
      .slice(0, count);
  let onCommand: () => void = () => {};
  const info = () => [
    'length',
    stream.length,
    'last-generated-id',
    `${seq}-0`,
    'max-deleted-entry-id',
    '0-0',
    'entries-added',
    seq,
    'first-entry',
    stream[0] ?? null,
  ];
  const redis = {
    multi() {
      const replies: (() => unknown)[] = [];
      const multi = {
        xinfo: () => {
          replies.push(info);
          return multi;
        },
        xrange: (_k: string, s: string, e: string, _c: string, n: number) => {
          replies.push(() => range(s, e, n));
          return multi;
        },
        exec: async () => {
          const results = replies.map((reply) => [null, reply()]);
          onCommand();
          return results;
        },
      };
      return multi;
    },
    async xrange(_k: string, s: string, e: string, _c: string, n: number) {
      const page = range(s, e, n);
      onCommand();
      return page;
    },
  } as unknown as Redis;
  const replay = createReplayer({
    redis,
    stream: 'events',
    pageSize: options.pageSize,
    sendBufferBytesMax: 1_000,
    catchUps,
    liveLastId: () => feed.lastId(),
    metrics: createGatewayMetrics(createMetricsRegistry('test', { processMetrics: false })),
    onMalformed: () => {},
  });
  const trim = (count: number) => stream.splice(0, count);
  const eventIds = () =>
    socket
      .messages()
      .filter((m) => m.type === 'balance')
      .map((m) => m.id);
  const setOnCommand = (fn: () => void) => {
    onCommand = fn;
  };
  return { socket, catchUps, live, replay, trim, eventIds, setOnCommand, stream };
}

describe('replay then live', () => {
  it('sends every missed event of the user once, in order, while live events keep arriving', async () => {
    const world = eventsWorld({ pageSize: 2 });
    for (let i = 0; i < 10; i++) world.live(i % 3 === 0 ? B : A);
    world.setOnCommand(() => {
      world.live(A); // the live reader moves on during every await of the replay
      world.live(B);
    });
    const outcome = await world.replay(world.socket, A, '3-0');
    world.setOnCommand(() => {});
    world.live(A);
    world.live(A);
    const expected = world.stream
      .filter(([id, fields]) => compareStreamIds(id, '3-0') > 0 && (fields[1] ?? '').includes(A))
      .map(([id]) => id);
    expect(outcome).toBe('replayed');
    expect(world.eventIds()).toEqual(expected);
    expect(expected).toHaveLength(4 + 4 + 2); // replayed, arrived during the replay, live after it
    expect(world.socket.topics).toEqual([TOPICS.user(A)]);
    expect(world.catchUps.size).toBe(0);
  });

  it('asks for a resync when missed events were trimmed, then goes live', async () => {
    const world = eventsWorld({ pageSize: 10 });
    for (let i = 0; i < 6; i++) world.live(A);
    world.trim(4);
    expect(await world.replay(world.socket, A, '2-0')).toBe('events_trimmed');
    world.live(A);
    expect(world.socket.messages()).toEqual([
      { type: 'resync', reason: 'events_trimmed' },
      expect.objectContaining({ type: 'balance', id: '7-0' }),
    ]);
  });

  it('replays from an id still in the window after a trim', async () => {
    const world = eventsWorld({ pageSize: 10 });
    for (let i = 0; i < 6; i++) world.live(A);
    world.trim(4);
    expect(await world.replay(world.socket, A, '5-0')).toBe('replayed');
    expect(world.eventIds()).toEqual(['6-0']);
  });

  it('asks for a resync for an id the stream never issued', async () => {
    const world = eventsWorld({ pageSize: 10 });
    world.live(A);
    expect(await world.replay(world.socket, A, '99-0')).toBe('events_unknown');
    expect(world.socket.messages()).toEqual([{ type: 'resync', reason: 'events_unknown' }]);
  });

  it('asks for a resync when more live events arrive during the replay than it may hold', async () => {
    const world = eventsWorld({ pageSize: 1, bufferMax: 2 });
    for (let i = 0; i < 3; i++) world.live(A);
    world.setOnCommand(() => world.live(A));
    expect(await world.replay(world.socket, A, '0-0')).toBe('replay_overflow');
    expect(world.socket.messages().at(-1)).toEqual({ type: 'resync', reason: 'replay_overflow' });
    expect(world.socket.topics).toEqual([TOPICS.user(A)]);
  });

  it('drops a socket already over its send-buffer limit instead of buffering the replay', async () => {
    const world = eventsWorld({ pageSize: 10 });
    world.live(A);
    world.socket.bufferedBytesNow = 5_000;
    expect(await world.replay(world.socket, A, '0-0')).toBe('backpressure');
    expect(world.socket.closed?.reason).toBe('backpressure');
    expect(world.catchUps.size).toBe(0);
  });

  it('stops when the socket closes mid-replay, holding nothing for it', async () => {
    const world = eventsWorld({ pageSize: 1 });
    for (let i = 0; i < 3; i++) world.live(A);
    world.setOnCommand(() => world.socket.end(1000, 'bye'));
    expect(await world.replay(world.socket, A, '0-0')).toBe('closed');
    expect(world.socket.topics).toEqual([]);
    expect(world.catchUps.size).toBe(0);
  });
});
