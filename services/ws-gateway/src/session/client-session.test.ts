import { createLogger, createMetricsRegistry } from '@tap/runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SocketAdmission } from '../admission/socket-admission.js';
import { type SessionVerdict, sha256hex } from '../auth/session-lookup.js';
import { createGatewayMetrics } from '../gateway-metrics.js';
import { TOPICS } from '../protocol/topics.js';
import type { Replayer } from '../replay/replay-events.js';
import { openClientSession, type SessionDeps } from './client-session.js';
import type { ClientSocket } from './client-socket.js';
import { FakeClientSocket } from './fake-client-socket.js';

const USER = '0x00000000000000000000000000000000000000aa';
/** The session of the token 'good' (the lookup is asked by hash, as Redis names it). */
const GOOD = sha256hex('good');
const NOW = 1_764_000_000_000;
const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const BREAKER = JSON.stringify({ type: 'breaker', state: 'closed', reason: 'healthy', since: 1 });
const TICK = JSON.stringify({ type: 'tick', t: 1, p: 2, sigma: 0.1, id: 3 });

/** The admission limits of `setup`'s sessions. */
const LIMITS = {
  connectionsMax: 100,
  perIpMax: 100,
  perSessionMax: 2,
  resumesPerS: 1,
  resumeBurst: 2,
  userResumesPerS: 1,
  userResumeBurst: 10,
  upgradesPerS: 1,
  upgradeBurst: 1,
};

function setup(overrides: Partial<SessionDeps> = {}) {
  const metrics = createGatewayMetrics(createMetricsRegistry('test', { processMetrics: false }));
  const replays: { userId: string; lastEventId: string }[] = [];
  const replay: Replayer = (_socket, userId, lastEventId) => {
    replays.push({ userId, lastEventId });
    return 'replayed';
  };
  const deps: SessionDeps = {
    authTimeoutMs: 5_000,
    lookupSession: async (sessionHash): Promise<SessionVerdict> =>
      sessionHash === GOOD ? { ok: true, userId: USER, sessionHash } : { ok: false, code: 'session_invalid' },
    snapshots: () => [BREAKER, TICK],
    eventsPosition: () => '5-0',
    replay,
    admission: new SocketAdmission<ClientSocket>(LIMITS),
    messagesPerS: 5,
    metrics,
    log: createLogger('test', 'silent'),
    now: () => NOW,
    ...overrides,
  };
  const socket = new FakeClientSocket();
  const session = openClientSession(socket, deps);
  socket.onClose = () => session.onClose();
  const send = (value: unknown) => session.onMessage(text(value), false);
  const authFailures = async (code: string) =>
    (await metrics.authFailures.get()).values.find((v) => v.labels.code === code)?.value ?? 0;
  return { socket, session, send, replays, metrics, authFailures, deps };
}

describe('client session', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('closes a socket that does not authenticate in time with 4401', async () => {
    const { socket, authFailures } = setup();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(socket.closed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closed).toEqual({ code: 4401, reason: 'auth_timeout' });
    expect(socket.messages()).toEqual([
      { type: 'error', error: 'session_invalid', message: 'no valid auth message within 5000 ms' },
    ]);
    expect(await authFailures('auth_timeout')).toBe(1);
  });

  it('refuses an unknown session with session_invalid and 4401', async () => {
    const { socket, send, authFailures } = setup();
    send({ type: 'auth', token: 'bad' });
    await vi.runAllTimersAsync();
    expect(socket.messages()).toEqual([expect.objectContaining({ type: 'error', error: 'session_invalid' })]);
    expect(socket.closed).toEqual({ code: 4401, reason: 'session_invalid' });
    expect(await authFailures('session_invalid')).toBe(1);
  });

  it('sends ready, the breaker and the latest tick, and subscribes to everything', async () => {
    const { socket, send, metrics } = setup();
    send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.messages()).toEqual([
      { type: 'ready', userId: USER, serverTime: NOW, eventsId: '5-0' },
      JSON.parse(BREAKER),
      JSON.parse(TICK),
    ]);
    expect(socket.topics).toEqual([TOPICS.ticks, TOPICS.breaker, TOPICS.user(USER)]);
    expect((await metrics.clientsAuthenticated.get()).values[0]?.value).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(socket.closed).toBeUndefined();
    socket.end(1000, 'bye');
    expect((await metrics.clientsAuthenticated.get()).values[0]?.value).toBe(0);
  });

  it('leaves the user topic to the replay when the client resumes', async () => {
    const { socket, send, replays } = setup();
    send({ type: 'auth', token: 'good', lastEventId: '1764000000000-5' });
    await vi.advanceTimersByTimeAsync(0);
    expect(replays).toEqual([{ userId: USER, lastEventId: '1764000000000-5' }]);
    expect(socket.topics).toEqual([TOPICS.ticks, TOPICS.breaker]);
  });

  it('closes with 4429 sockets_per_session_max past the per-session socket cap, and frees the slot on close', async () => {
    const first = setup();
    const { admission } = first.deps;
    const opened = [first, setup({ admission }), setup({ admission })];
    for (const { send } of opened) send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(0);
    const third = opened[2]?.socket;
    expect(third?.closed).toEqual({ code: 4429, reason: 'sockets_per_session_max' });
    expect(third?.messages()).toEqual([expect.objectContaining({ type: 'error', error: 'rate_limited' })]);
    first.socket.end(1000, 'bye');
    const again = setup({ admission });
    again.send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(0);
    expect(again.socket.closed).toBeUndefined();
    expect(admission.socketsOf(GOOD)).toHaveLength(2);
  });

  it('closes with 4429 resume_rate once a session resumes faster than its bucket refills', async () => {
    const first = setup();
    const { admission } = first.deps;
    const resume = async () => {
      const s = setup({ admission, now: () => Date.now() });
      s.send({ type: 'auth', token: 'good', lastEventId: '1-0' });
      await vi.advanceTimersByTimeAsync(0);
      const closed = s.socket.closed;
      s.socket.end(1000, 'bye');
      return closed;
    };
    expect(await resume()).toBeUndefined();
    expect(await resume()).toBeUndefined();
    expect(await resume()).toEqual({ code: 4429, reason: 'resume_rate' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await resume()).toBeUndefined();
  });

  it('refuses a session known to be over its resume rate or socket cap without looking it up', async () => {
    let lookups = 0;
    const lookupSession = async (sessionHash: string): Promise<SessionVerdict> => {
      lookups += 1;
      return { ok: true, userId: USER, sessionHash };
    };
    const first = setup({ lookupSession });
    const { admission } = first.deps;
    const attempt = async (message: Record<string, unknown>) => {
      const s = setup({ admission, lookupSession });
      s.send({ type: 'auth', token: 'good', ...message });
      await vi.advanceTimersByTimeAsync(0);
      return s.socket;
    };
    // Two resumes use up the burst (2); both sockets stay open and fill the session's cap (2).
    const held = [await attempt({ lastEventId: '1-0' }), await attempt({ lastEventId: '1-0' })];
    expect(lookups).toBe(2);
    expect((await attempt({})).closed).toEqual({ code: 4429, reason: 'sockets_per_session_max' });
    for (const socket of held) socket.end(1000, 'bye');
    expect((await attempt({ lastEventId: '1-0' })).closed).toEqual({ code: 4429, reason: 'resume_rate' });
    expect(lookups).toBe(2);
    // A plain auth is not a resume: it is looked up and admitted.
    expect((await attempt({})).closed).toBeUndefined();
    expect(lookups).toBe(3);
  });

  it('closes with 4429 message_rate when a socket sends faster than its message rate', async () => {
    const { socket, send } = setup();
    send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 9; i++) send({ type: 'ping' });
    expect(socket.closed).toBeUndefined();
    send({ type: 'ping' });
    expect(socket.closed).toEqual({ code: 4429, reason: 'message_rate' });
    expect(socket.messages().at(-1)).toMatchObject({ type: 'error', error: 'rate_limited' });
  });

  it('closes with 1013 when the session cannot be looked up', async () => {
    const { socket, send, authFailures } = setup({ lookupSession: () => Promise.reject(new Error('down')) });
    send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.messages()).toEqual([expect.objectContaining({ error: 'service_unavailable' })]);
    expect(socket.closed?.code).toBe(1013);
    expect(await authFailures('service_unavailable')).toBe(1);
  });

  it('refuses a first message that is not a valid auth with invalid_body and 4400', async () => {
    for (const first of [{ type: 'ping' }, { type: 'auth', token: 'good', extra: 1 }, { hello: 1 }]) {
      const { socket, send } = setup();
      send(first);
      expect(socket.messages()).toEqual([expect.objectContaining({ type: 'error', error: 'invalid_body' })]);
      expect(socket.closed).toEqual({ code: 4400, reason: 'invalid_body' });
    }
  });

  it('answers later invalid messages without closing, and pings with pong', async () => {
    const { socket, send, session } = setup();
    send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(0);
    socket.sent.length = 0;
    send({ type: 'subscribe' });
    send({ type: 'auth', token: 'good' });
    session.onMessage(new Uint8Array([1, 2]), true);
    send({ type: 'ping' });
    expect(socket.messages()).toEqual([
      expect.objectContaining({ error: 'invalid_body' }),
      { type: 'error', error: 'invalid_body', message: 'already authenticated on this socket' },
      expect.objectContaining({ error: 'invalid_body' }),
      { type: 'pong', serverTime: NOW },
    ]);
    expect(socket.closed).toBeUndefined();
  });

  it('refuses an auth with 1013 lookups_max, before any lookup, while the gateway’s lookups in flight are at their bound', async () => {
    const answers: ((verdict: SessionVerdict) => void)[] = [];
    let lookups = 0;
    const lookupSession = (sessionHash: string) => {
      lookups += 1;
      return new Promise<SessionVerdict>((resolve) => answers.push(resolve)).then(() => ({
        ok: true as const,
        userId: USER,
        sessionHash,
      }));
    };
    const admission = new SocketAdmission<ClientSocket>({ ...LIMITS, lookupsMax: 1 });
    const pending = setup({ admission, lookupSession });
    pending.send({ type: 'auth', token: 'good' });
    const refused = setup({ admission, lookupSession });
    refused.send({ type: 'auth', token: 'other', lastEventId: '1-0' });
    expect(refused.socket.closed).toEqual({ code: 1013, reason: 'lookups_max' });
    expect(refused.socket.messages()).toMatchObject([{ type: 'error', error: 'service_unavailable' }]);
    expect(lookups).toBe(1);
    // The lookup in flight settles (here: the session is valid): its slot is free again.
    answers[0]?.({ ok: true, userId: USER, sessionHash: GOOD });
    await vi.advanceTimersByTimeAsync(0);
    expect(pending.socket.messages()[0]).toMatchObject({ type: 'ready' });
    expect(admission.lookupsInFlight).toBe(0);
    const later = setup({ admission, lookupSession });
    later.send({ type: 'auth', token: 'good' });
    expect(later.socket.closed).toBeUndefined();
    expect(lookups).toBe(2);
  });

  it('frees its lookup slot when the lookup fails', async () => {
    const { send, deps } = setup({ lookupSession: () => Promise.reject(new Error('down')) });
    send({ type: 'auth', token: 'good' });
    expect(deps.admission.lookupsInFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(deps.admission.lookupsInFlight).toBe(0);
  });

  it('ignores a session lookup that finishes after the socket closed', async () => {
    let answer: (verdict: SessionVerdict) => void = () => {};
    const { socket, send } = setup({ lookupSession: () => new Promise((resolve) => (answer = resolve)) });
    send({ type: 'auth', token: 'good' });
    socket.end(1000, 'gone');
    answer({ ok: true, userId: USER, sessionHash: GOOD });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(socket.sent).toEqual([]);
    expect(socket.topics).toEqual([]);
  });

  it('lists a socket under its session while the lookup is in flight, and never readies one closed meanwhile', async () => {
    let answer: (verdict: SessionVerdict) => void = () => {};
    const { socket, send, deps } = setup({
      lookupSession: () => new Promise((resolve) => (answer = resolve)),
    });
    send({ type: 'auth', token: 'good' });
    // What a revocation notice does (session-ends.ts): close every socket of the session.
    expect(deps.admission.socketsOf(GOOD)).toEqual([socket]);
    for (const found of deps.admission.socketsOf(GOOD)) found.end(4401, 'session_revoked');
    answer({ ok: true, userId: USER, sessionHash: GOOD });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(socket.closed).toEqual({ code: 4401, reason: 'session_revoked' });
    expect(socket.messages().map((m) => m.type)).not.toContain('ready');
    expect(socket.topics).toEqual([]);
    expect(deps.admission.sessionHashes()).toEqual([]);
  });

  it('keeps an authenticated socket listed once its lookup answered, and none after it closes', async () => {
    const { socket, send, deps } = setup();
    send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(0);
    expect(deps.admission.socketsOf(GOOD)).toEqual([socket]);
    socket.end(1000, 'bye');
    expect(deps.admission.sessionHashes()).toEqual([]);
  });

  it('times out an auth whose session lookup hangs', async () => {
    const { socket, send } = setup({ lookupSession: () => new Promise(() => {}) });
    send({ type: 'auth', token: 'good' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.closed).toEqual({ code: 4401, reason: 'auth_timeout' });
  });
});
