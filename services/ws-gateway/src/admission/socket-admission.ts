/**
 * Who may hold a socket, and how often a session may resume (issue 16, the WebSocket edge). Pure
 * bookkeeping with an injected clock; `src/ws/` asks and acts, tests ask directly.
 *
 * - `upgradesPerS` (burst `upgradeBurst`) WebSocket upgrades per client address (→ HTTP 429
 *   `rate_limited` before any socket exists: the cheapest refusal there is). nginx limits upgrades
 *   per address in front; this is the daemon defending itself when reached another way.
 * - `connectionsMax` sockets in all (→ close 1013 `connections_max`: the gateway is full, retry
 *   later) and `perIpMax` per client address (→ 4429 `connections_per_ip_max`). The address is
 *   nginx's X-Real-IP when the peer is a trusted proxy, else the peer (client-address.ts).
 * - `perSessionMax` authenticated sockets per session token (→ 4429 `sockets_per_session_max`):
 *   the web client opens one per tab; a free session cannot hold thousands.
 * - resumes per session: a token bucket (`resumesPerS`, `resumeBurst`) → 4429 `resume_rate`; and
 *   per user, all their sessions together (`userResumesPerS`, `userResumeBurst`; a wallet may hold
 *   10 sessions, so without it one wallet resumes at 10× a session's rate) → the same refusal.
 *   Buckets outlive their sockets (else reconnecting would refill them) until they are full again;
 *   `prune` forgets those.
 * - session lookups in flight, all sessions together: at most `lookupsMax` (→ close 1013
 *   `lookups_max`, retry later). Every auth and resume costs one Redis GET; many free sessions each
 *   within their own rate (or a slow Redis) would otherwise pile them up without bound. Sized far
 *   above what a healthy Redis keeps in flight (a reconnect herd of WS_CONNECTIONS_MAX clients
 *   passes at Redis's pace), so it bites only when Redis falls behind or an attack multiplies sessions.
 * `beforeLookup` asks the per-session limits before the session is looked up in Redis, keyed by the
 * hash of the token the client presents: a session that already holds its sockets or has used up
 * its resumes is refused without a Redis call (a hostile client resuming in a loop costs no
 * lookup). It can only refuse — what it passes is still looked up and asked again — and it only
 * knows sessions that passed a lookup before (an unknown token has no bucket and no sockets). A
 * revoked session may so meet 4429 before it meets 4401: either way it is never admitted.
 * The same registry answers "which sockets belong to this session" for logout and expiry, including
 * sockets whose auth lookup for that session is still in flight (`authenticating`): a revocation
 * that arrives before the lookup's answer must close them, not miss them (session-ends.ts).
 */
import { BucketMap } from './bucket-map.js';

export type AdmissionRefusal =
  | 'connections_max'
  | 'connections_per_ip_max'
  | 'sockets_per_session_max'
  | 'resume_rate'
  | 'lookups_max';

export type Admitted<Refusal extends string = AdmissionRefusal> =
  | { ok: true }
  | { ok: false; refusal: Refusal };

export interface AdmissionLimits {
  connectionsMax: number;
  perIpMax: number;
  perSessionMax: number;
  resumesPerS: number;
  resumeBurst: number;
  upgradesPerS: number;
  upgradeBurst: number;
  /** Session lookups in flight in all (WS_AUTH_LOOKUPS_MAX). Default LOOKUPS_MAX_DEFAULT. */
  lookupsMax?: number;
  /** Resumes per user, all sessions together (WS_USER_RESUMES_PER_S, WS_USER_RESUME_BURST). */
  userResumesPerS: number;
  userResumeBurst: number;
}

export const LOOKUPS_MAX_DEFAULT = 1_000;

/** Client addresses whose upgrade buckets are remembered (~200 B each); the oldest go first. */
const UPGRADE_ADDRESSES_MAX = 100_000;
/** Sessions (and users) whose resume buckets are remembered; only a passed lookup makes one. */
const RESUME_SESSIONS_MAX = 1_000_000;

const OK: Admitted = { ok: true };

export class SocketAdmission<Socket> {
  #total = 0;
  #lookups = 0;
  readonly #perIp = new Map<string, number>();
  readonly #bySession = new Map<string, Set<Socket>>();
  readonly #authenticating = new Map<string, Set<Socket>>();
  readonly #resumes: BucketMap;
  readonly #userResumes: BucketMap;
  readonly #upgrades: BucketMap;

  constructor(private readonly limits: AdmissionLimits) {
    this.#resumes = new BucketMap(limits.resumesPerS, limits.resumeBurst, RESUME_SESSIONS_MAX);
    this.#userResumes = new BucketMap(limits.userResumesPerS, limits.userResumeBurst, RESUME_SESSIONS_MAX);
    this.#upgrades = new BucketMap(limits.upgradesPerS, limits.upgradeBurst, UPGRADE_ADDRESSES_MAX);
  }

  /** A WebSocket upgrade request from `ip`, before any socket exists. */
  upgrade(ip: string, nowMs: number): Admitted<'upgrade_rate'> {
    return this.#upgrades.take(ip, nowMs) ? { ok: true } : { ok: false, refusal: 'upgrade_rate' };
  }

  /** A new socket from `ip`; when ok, `leave(ip)` must follow once it closes. */
  enter(ip: string): Admitted {
    if (this.#total >= this.limits.connectionsMax) return { ok: false, refusal: 'connections_max' };
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.limits.perIpMax) return { ok: false, refusal: 'connections_per_ip_max' };
    this.#total += 1;
    this.#perIp.set(ip, fromIp + 1);
    return OK;
  }

  leave(ip: string): void {
    const fromIp = this.#perIp.get(ip);
    if (fromIp === undefined) return;
    this.#total -= 1;
    if (fromIp <= 1) this.#perIp.delete(ip);
    else this.#perIp.set(ip, fromIp - 1);
  }

  /**
   * A socket about to look this session up: registered before the lookup is sent. Not limited (each
   * socket is one of `enter`'s); `attach` or `detach` ends it.
   */
  authenticating(sessionHash: string, socket: Socket): void {
    addTo(this.#authenticating, sessionHash, socket);
  }

  /** An authenticated socket of a session; when ok, `detach` must follow once it closes. */
  attach(sessionHash: string, socket: Socket): Admitted {
    removeFrom(this.#authenticating, sessionHash, socket);
    if ((this.#bySession.get(sessionHash)?.size ?? 0) >= this.limits.perSessionMax) {
      return { ok: false, refusal: 'sockets_per_session_max' };
    }
    addTo(this.#bySession, sessionHash, socket);
    return OK;
  }

  detach(sessionHash: string, socket: Socket): void {
    removeFrom(this.#authenticating, sessionHash, socket);
    removeFrom(this.#bySession, sessionHash, socket);
  }

  /**
   * The per-session limits asked before the session lookup, taking nothing: would `attach` (and,
   * for a resume, `resume`) refuse this session now? Only sessions seen by an earlier lookup can be
   * refused here.
   */
  beforeLookup(sessionHash: string, resuming: boolean, nowMs: number): Admitted {
    if ((this.#bySession.get(sessionHash)?.size ?? 0) >= this.limits.perSessionMax) {
      return { ok: false, refusal: 'sockets_per_session_max' };
    }
    if (resuming && !this.#resumes.hasToken(sessionHash, nowMs)) return { ok: false, refusal: 'resume_rate' };
    return OK;
  }

  /** A session lookup about to be sent; when ok, `lookupEnded` must follow once it settles. */
  lookupStarted(): Admitted {
    if (this.#lookups >= (this.limits.lookupsMax ?? LOOKUPS_MAX_DEFAULT))
      return { ok: false, refusal: 'lookups_max' };
    this.#lookups += 1;
    return OK;
  }

  lookupEnded(): void {
    this.#lookups = Math.max(0, this.#lookups - 1);
  }

  get lookupsInFlight(): number {
    return this.#lookups;
  }

  /** One resume of a user's session, if both the session's and the user's bucket have a token. */
  resume(sessionHash: string, userId: string, nowMs: number): Admitted {
    // The session's token is spent even when the user's bucket then refuses: a session looping on
    // that refusal empties its own bucket and meets `beforeLookup`'s refusal, which costs no Redis
    // lookup (the user is only known after one).
    if (!this.#resumes.take(sessionHash, nowMs)) return { ok: false, refusal: 'resume_rate' };
    return this.#userResumes.take(userId, nowMs) ? OK : { ok: false, refusal: 'resume_rate' };
  }

  /** Forgets buckets that have refilled: bounded by the sessions and addresses seen lately. */
  prune(nowMs: number): void {
    this.#resumes.prune(nowMs);
    this.#userResumes.prune(nowMs);
    this.#upgrades.prune(nowMs);
  }

  /** Its authenticated sockets and those whose auth is in flight. */
  socketsOf(sessionHash: string): Socket[] {
    return [...(this.#bySession.get(sessionHash) ?? []), ...(this.#authenticating.get(sessionHash) ?? [])];
  }

  /** Sessions with a socket, authenticated or authenticating. */
  sessionHashes(): string[] {
    return [...new Set([...this.#bySession.keys(), ...this.#authenticating.keys()])];
  }

  get connections(): number {
    return this.#total;
  }
}

function addTo<Socket>(map: Map<string, Set<Socket>>, key: string, socket: Socket): void {
  const sockets = map.get(key);
  if (sockets) sockets.add(socket);
  else map.set(key, new Set([socket]));
}

function removeFrom<Socket>(map: Map<string, Set<Socket>>, key: string, socket: Socket): void {
  const sockets = map.get(key);
  sockets?.delete(socket);
  if (sockets?.size === 0) map.delete(key);
}
