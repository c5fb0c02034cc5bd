import { describe, expect, it } from 'vitest';
import { BucketMap } from './bucket-map.js';
import { clientAddress, parseTrustedProxies } from './client-address.js';
import { SocketAdmission } from './socket-admission.js';

const limits = {
  connectionsMax: 3,
  perIpMax: 2,
  perSessionMax: 2,
  resumesPerS: 1,
  resumeBurst: 2,
  userResumesPerS: 1,
  userResumeBurst: 3,
  upgradesPerS: 2,
  upgradeBurst: 3,
};

describe('SocketAdmission', () => {
  it('caps sockets per address and in all, and gives back what closes', () => {
    const admission = new SocketAdmission<string>(limits);
    expect(admission.enter('1.1.1.1')).toEqual({ ok: true });
    expect(admission.enter('1.1.1.1')).toEqual({ ok: true });
    expect(admission.enter('1.1.1.1')).toEqual({ ok: false, refusal: 'connections_per_ip_max' });
    expect(admission.enter('2.2.2.2')).toEqual({ ok: true });
    expect(admission.enter('3.3.3.3')).toEqual({ ok: false, refusal: 'connections_max' });
    admission.leave('1.1.1.1');
    expect(admission.connections).toBe(2);
    expect(admission.enter('3.3.3.3')).toEqual({ ok: true });
    admission.leave('9.9.9.9'); // never entered: changes nothing
    expect(admission.connections).toBe(3);
  });

  it('caps sockets per session and lists them for logout', () => {
    const admission = new SocketAdmission<string>(limits);
    expect(admission.attach('s', 'one')).toEqual({ ok: true });
    expect(admission.attach('s', 'two')).toEqual({ ok: true });
    expect(admission.attach('s', 'three')).toEqual({ ok: false, refusal: 'sockets_per_session_max' });
    expect(admission.socketsOf('s')).toEqual(['one', 'two']);
    admission.detach('s', 'one');
    admission.detach('s', 'two');
    expect(admission.sessionHashes()).toEqual([]);
  });

  it('lists sockets whose auth is in flight for logout, uncapped until they attach', () => {
    const admission = new SocketAdmission<string>(limits);
    for (const socket of ['one', 'two', 'three']) admission.authenticating('s', socket);
    expect(admission.socketsOf('s')).toEqual(['one', 'two', 'three']);
    expect(admission.sessionHashes()).toEqual(['s']);
    expect(admission.attach('s', 'one')).toEqual({ ok: true });
    expect(admission.socketsOf('s')).toEqual(['one', 'two', 'three']);
    expect(admission.attach('s', 'two')).toEqual({ ok: true });
    // Refused at the cap: no longer listed under the session (it is being closed).
    expect(admission.attach('s', 'three')).toEqual({ ok: false, refusal: 'sockets_per_session_max' });
    expect(admission.socketsOf('s')).toEqual(['one', 'two']);
    admission.authenticating('t', 'four');
    admission.detach('t', 'four');
    admission.detach('s', 'one');
    admission.detach('s', 'two');
    expect(admission.sessionHashes()).toEqual([]);
  });

  it('limits resumes per session with a bucket that survives reconnects until it refills', () => {
    const admission = new SocketAdmission<string>(limits);
    expect(admission.resume('s', 'u1', 0)).toEqual({ ok: true });
    expect(admission.resume('s', 'u1', 0)).toEqual({ ok: true });
    expect(admission.resume('s', 'u1', 10)).toEqual({ ok: false, refusal: 'resume_rate' });
    expect(admission.resume('other', 'u2', 10)).toEqual({ ok: true });
    admission.prune(500);
    expect(admission.resume('s', 'u1', 1_000)).toEqual({ ok: true });
    admission.prune(10_000);
    expect(admission.resume('s', 'u1', 10_000)).toEqual({ ok: true });
  });

  it("limits a user's resumes over all their sessions; a session looping on that refusal meets the early one", () => {
    const admission = new SocketAdmission<string>(limits);
    // Burst 3 per user: three sessions of one wallet resume once each, the fourth is refused…
    for (const session of ['a', 'b', 'c']) expect(admission.resume(session, 'u', 0)).toEqual({ ok: true });
    expect(admission.resume('d', 'u', 0)).toEqual({ ok: false, refusal: 'resume_rate' });
    // …and each refusal spends session d's own token (burst 2), so its next try is refused before
    // any session lookup.
    expect(admission.resume('d', 'u', 0)).toEqual({ ok: false, refusal: 'resume_rate' });
    expect(admission.beforeLookup('d', true, 0)).toEqual({ ok: false, refusal: 'resume_rate' });
    // Another wallet is not affected.
    expect(admission.resume('e', 'v', 0)).toEqual({ ok: true });
  });

  it('answers the per-session limits before a lookup without taking a resume', () => {
    const admission = new SocketAdmission<string>(limits);
    // An unknown session (no lookup passed yet) is never refused here.
    expect(admission.beforeLookup('s', true, 0)).toEqual({ ok: true });
    expect(admission.resume('s', 'u', 0)).toEqual({ ok: true });
    expect(admission.beforeLookup('s', true, 0)).toEqual({ ok: true });
    expect(admission.beforeLookup('s', true, 0)).toEqual({ ok: true });
    expect(admission.resume('s', 'u', 0)).toEqual({ ok: true });
    expect(admission.beforeLookup('s', true, 0)).toEqual({ ok: false, refusal: 'resume_rate' });
    expect(admission.beforeLookup('s', false, 0)).toEqual({ ok: true });
    expect(admission.beforeLookup('s', true, 1_000)).toEqual({ ok: true });
    admission.attach('s', 'one');
    admission.attach('s', 'two');
    expect(admission.beforeLookup('s', false, 1_000)).toEqual({
      ok: false,
      refusal: 'sockets_per_session_max',
    });
    admission.detach('s', 'one');
    expect(admission.beforeLookup('s', false, 1_000)).toEqual({ ok: true });
  });

  it('bounds the session lookups in flight in all, and gives back what settles', () => {
    const admission = new SocketAdmission<string>({ ...limits, lookupsMax: 2 });
    expect(admission.lookupStarted()).toEqual({ ok: true });
    expect(admission.lookupStarted()).toEqual({ ok: true });
    expect(admission.lookupStarted()).toEqual({ ok: false, refusal: 'lookups_max' });
    expect(admission.lookupsInFlight).toBe(2);
    admission.lookupEnded();
    expect(admission.lookupStarted()).toEqual({ ok: true });
    // Without the limit set: the default, far above a healthy Redis's lookups in flight.
    const defaults = new SocketAdmission<string>(limits);
    for (let i = 0; i < 1_000; i += 1) expect(defaults.lookupStarted().ok).toBe(true);
    expect(defaults.lookupStarted()).toEqual({ ok: false, refusal: 'lookups_max' });
  });

  it('limits upgrades per address with its own bucket', () => {
    const admission = new SocketAdmission<string>(limits);
    for (let i = 0; i < 3; i++) expect(admission.upgrade('1.1.1.1', 0)).toEqual({ ok: true });
    expect(admission.upgrade('1.1.1.1', 0)).toEqual({ ok: false, refusal: 'upgrade_rate' });
    expect(admission.upgrade('2.2.2.2', 0)).toEqual({ ok: true });
    expect(admission.upgrade('1.1.1.1', 499)).toEqual({ ok: false, refusal: 'upgrade_rate' });
    expect(admission.upgrade('1.1.1.1', 500)).toEqual({ ok: true });
  });
});

describe('BucketMap', () => {
  it('holds at most keysMax buckets, forgetting the oldest first', () => {
    const buckets = new BucketMap(1, 1, 2);
    expect(buckets.take('a', 0)).toBe(true);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.take('c', 0)).toBe(true);
    expect(buckets.size).toBe(2);
    // 'a' was forgotten: it starts full again; 'c' is still empty.
    expect(buckets.hasToken('a', 0)).toBe(true);
    expect(buckets.take('c', 0)).toBe(false);
  });

  it('forgets refilled buckets on prune, and peeking creates nothing', () => {
    const buckets = new BucketMap(1, 2, 10);
    expect(buckets.hasToken('a', 0)).toBe(true);
    expect(buckets.size).toBe(0);
    buckets.take('a', 0);
    buckets.prune(500);
    expect(buckets.size).toBe(1);
    buckets.prune(1_000);
    expect(buckets.size).toBe(0);
  });
});

describe('clientAddress', () => {
  const trusted = new Set(['127.0.0.1']);

  it('believes X-Real-IP only from a trusted proxy', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', trusted)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', '2001:db8::1', trusted)).toBe('2001:db8::1');
    expect(clientAddress('198.51.100.7', '203.0.113.9', trusted)).toBe('198.51.100.7');
  });

  it('falls back to the peer when the header is missing or not an address', () => {
    expect(clientAddress('127.0.0.1', '', trusted)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.9, 10.0.0.1', trusted)).toBe('127.0.0.1');
  });

  it('parses the trusted list and names a bad entry', () => {
    expect(parseTrustedProxies('127.0.0.1, ::1')).toEqual({ ok: true, set: new Set(['127.0.0.1', '::1']) });
    expect(parseTrustedProxies('127.0.0.1,nginx')).toEqual({ ok: false, bad: 'nginx' });
  });
});
