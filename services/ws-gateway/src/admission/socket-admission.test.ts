import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustedProxies } from './client-address.js';
import { SocketAdmission } from './socket-admission.js';

const limits = { connectionsMax: 3, perIpMax: 2, perSessionMax: 2, resumesPerS: 1, resumeBurst: 2 };

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
    expect(admission.resume('s', 0)).toEqual({ ok: true });
    expect(admission.resume('s', 0)).toEqual({ ok: true });
    expect(admission.resume('s', 10)).toEqual({ ok: false, refusal: 'resume_rate' });
    expect(admission.resume('other', 10)).toEqual({ ok: true });
    admission.prune(500);
    expect(admission.resume('s', 1_000)).toEqual({ ok: true });
    admission.prune(10_000);
    expect(admission.resume('s', 10_000)).toEqual({ ok: true });
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
