/**
 * Who may hold a socket, and how often a session may resume (issue 16, the WebSocket edge). Pure
 * bookkeeping with an injected clock; `src/ws/` asks and acts, tests ask directly.
 *
 * - `connectionsMax` sockets in all (→ close 1013 `connections_max`: the gateway is full, retry
 *   later) and `perIpMax` per client address (→ 4429 `connections_per_ip_max`). The address is
 *   nginx's X-Real-IP when the peer is a trusted proxy, else the peer (client-address.ts).
 * - `perSessionMax` authenticated sockets per session token (→ 4429 `sockets_per_session_max`):
 *   the web client opens one per tab; a free session cannot hold thousands.
 * - resumes per session: a token bucket (`resumesPerS`, `resumeBurst`) → 4429 `resume_rate`.
 *   Buckets outlive their sockets (else reconnecting would refill them) until they are full again;
 *   `prune` forgets those.
 * The same registry answers "which sockets belong to this session" for logout and expiry, including
 * sockets whose auth lookup for that session is still in flight (`authenticating`): a revocation
 * that arrives before the lookup's answer must close them, not miss them (session-ends.ts).
 */
import { TokenBucket } from './token-bucket.js';

export type AdmissionRefusal =
  | 'connections_max'
  | 'connections_per_ip_max'
  | 'sockets_per_session_max'
  | 'resume_rate';

export type Admitted = { ok: true } | { ok: false; refusal: AdmissionRefusal };

export interface AdmissionLimits {
  connectionsMax: number;
  perIpMax: number;
  perSessionMax: number;
  resumesPerS: number;
  resumeBurst: number;
}

const OK: Admitted = { ok: true };

export class SocketAdmission<Socket> {
  #total = 0;
  readonly #perIp = new Map<string, number>();
  readonly #bySession = new Map<string, Set<Socket>>();
  readonly #authenticating = new Map<string, Set<Socket>>();
  readonly #resumes = new Map<string, TokenBucket>();

  constructor(private readonly limits: AdmissionLimits) {}

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

  /** One resume of a session, if its bucket has a token. */
  resume(sessionHash: string, nowMs: number): Admitted {
    let bucket = this.#resumes.get(sessionHash);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.resumesPerS, this.limits.resumeBurst, nowMs);
      this.#resumes.set(sessionHash, bucket);
    }
    return bucket.take(nowMs) ? OK : { ok: false, refusal: 'resume_rate' };
  }

  /** Forgets resume buckets that have refilled: bounded by the sessions that resumed lately. */
  prune(nowMs: number): void {
    for (const [hash, bucket] of this.#resumes) if (bucket.isFull(nowMs)) this.#resumes.delete(hash);
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
