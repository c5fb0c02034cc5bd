import type { BreakerEntry } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { BreakerFeed, effectiveBreaker, laterBreaker, parseBreakerHash } from './breaker-feed.js';

const T = 1_764_000_000_000;
const closed = (overrides: Partial<BreakerEntry> = {}): BreakerEntry => ({
  state: 'closed',
  reason: 'healthy',
  since: T,
  ...overrides,
});
const hashOf = (entry: BreakerEntry, heartbeatAtMs: number): Record<string, string> => ({
  state: entry.state,
  reason: entry.reason,
  since: String(entry.since),
  heartbeatAt: String(heartbeatAtMs),
});

describe('parseBreakerHash', () => {
  it('reads the state and the heartbeat', () => {
    expect(parseBreakerHash(hashOf(closed(), T + 5))).toEqual({ entry: closed(), heartbeatAtMs: T + 5 });
  });

  it('holds nothing for a missing key (empty hash) or garbage', () => {
    expect(parseBreakerHash({})).toEqual({});
    expect(parseBreakerHash({ state: 'ajar', reason: 'x', since: 'soon', heartbeatAt: '-1' })).toEqual({});
  });
});

describe('effectiveBreaker', () => {
  const base = { staleAfterMs: 5_000, noHeartbeatSinceMs: T - 1 };

  it('reports the written state while the heartbeat is fresh', () => {
    expect(effectiveBreaker({ ...base, source: closed(), heartbeatAtMs: T, nowMs: T + 5_000 })).toEqual({
      state: 'closed',
      reason: 'healthy',
      since: T,
    });
  });

  it('fails closed: a stale heartbeat reads as open since it went stale', () => {
    expect(effectiveBreaker({ ...base, source: closed(), heartbeatAtMs: T, nowMs: T + 5_001 })).toEqual({
      state: 'open',
      reason: 'no_heartbeat',
      since: T + 5_000,
    });
  });

  it('fails closed when there has never been a heartbeat', () => {
    expect(effectiveBreaker({ ...base, source: undefined, heartbeatAtMs: undefined, nowMs: T })).toEqual({
      state: 'open',
      reason: 'no_heartbeat',
      since: T - 1,
    });
  });
});

describe('laterBreaker', () => {
  it('keeps whichever report has the later since', () => {
    const open = { state: 'open', reason: 'stale_prices', since: T + 10 } as const;
    expect(laterBreaker(closed(), open)).toBe(open);
    expect(laterBreaker(open, closed())).toBe(open);
    expect(laterBreaker(undefined, open)).toBe(open);
    expect(laterBreaker(open, undefined)).toBe(open);
  });
});

describe('BreakerFeed', () => {
  const make = () => {
    const published: string[] = [];
    let now = T;
    const feed = new BreakerFeed({
      staleAfterMs: 5_000,
      now: () => now,
      publish: (message) => published.push(message),
    });
    return {
      feed,
      published,
      advance: (ms: number) => (now += ms),
      parsed: () => published.map((m) => JSON.parse(m)),
    };
  };

  it('starts open with no heartbeat, as a snapshot', () => {
    const { feed, published } = make();
    expect(JSON.parse(feed.snapshot())).toEqual({
      type: 'breaker',
      state: 'open',
      reason: 'no_heartbeat',
      since: T,
    });
    expect(published).toEqual([]);
  });

  it('publishes each change once, and nothing when a report repeats the current state', () => {
    const { feed, parsed } = make();
    feed.applyHash(hashOf(closed(), T));
    feed.applyEntry(closed());
    feed.applyHash(hashOf(closed(), T + 1_000));
    feed.applyEntry({ state: 'open', reason: 'stale_prices', since: T + 2_000 });
    expect(parsed()).toEqual([
      { type: 'breaker', state: 'closed', reason: 'healthy', since: T },
      { type: 'breaker', state: 'open', reason: 'stale_prices', since: T + 2_000 },
    ]);
  });

  it('ignores a hash older than the change already read from the stream', () => {
    const { feed, parsed } = make();
    feed.applyHash(hashOf(closed(), T));
    feed.applyEntry({ state: 'open', reason: 'stale_prices', since: T + 2_000 });
    feed.applyHash(hashOf(closed(), T + 100));
    expect(parsed().map((m) => m.state)).toEqual(['closed', 'open']);
    expect(feed.view().state).toBe('open');
  });

  it('opens when the heartbeat stops, and closes again when it resumes', () => {
    const { feed, parsed, advance } = make();
    feed.applyHash(hashOf(closed(), T));
    advance(6_000);
    feed.applyHash(hashOf(closed(), T));
    advance(1_000);
    feed.applyHash(hashOf(closed(), T + 7_000));
    expect(parsed()).toEqual([
      { type: 'breaker', state: 'closed', reason: 'healthy', since: T },
      { type: 'breaker', state: 'open', reason: 'no_heartbeat', since: T + 5_000 },
      { type: 'breaker', state: 'closed', reason: 'healthy', since: T },
    ]);
  });

  it('opens when the breaker hash cannot be read for longer than the stale limit', () => {
    const { feed, parsed, advance } = make();
    feed.applyHash(hashOf(closed(), T));
    advance(5_001);
    feed.refresh();
    expect(parsed().map((m) => `${m.state}/${m.reason}`)).toEqual(['closed/healthy', 'open/no_heartbeat']);
  });
});
