/**
 * The breaker as clients see it (SPEC §9). health-monitor writes `keys.breakerState` (hash: state,
 * reason, since, heartbeatAt) and appends every change to `tap:breaker`. Changes come from the
 * stream (prompt) and from the hash (at start and on every poll, in case a change was missed);
 * whichever says the later `since` wins. A heartbeat older than the stale limit, or none at all,
 * reads as `open / no_heartbeat`: trading fails closed (SPEC §6), so the grid is greyed out too.
 */
import { type BreakerEntry, breakerEntrySchema } from '@tap/domain';
import { z } from 'zod';
import { type BreakerView, breakerMessage } from '../protocol/server-message.js';

export const NO_HEARTBEAT = 'no_heartbeat';

export interface BreakerHash {
  entry?: BreakerEntry;
  heartbeatAtMs?: number;
}

const msField = z.coerce.number().int().nonnegative();

/** HGETALL of the breaker key → what it holds that is valid (an empty hash holds nothing). */
export function parseBreakerHash(hash: Record<string, string>): BreakerHash {
  const entry = breakerEntrySchema.safeParse({
    state: hash.state,
    reason: hash.reason,
    since: hash.since === undefined ? undefined : Number(hash.since),
  });
  const heartbeat = msField.safeParse(hash.heartbeatAt ?? '');
  return {
    ...(entry.success ? { entry: entry.data } : {}),
    ...(heartbeat.success && hash.heartbeatAt ? { heartbeatAtMs: heartbeat.data } : {}),
  };
}

/** The later of two reports of the breaker state (ties keep the current one). */
export function laterBreaker(current: BreakerEntry | undefined, candidate: BreakerEntry | undefined) {
  if (!candidate) return current;
  if (!current) return candidate;
  return candidate.since > current.since ? candidate : current;
}

export function effectiveBreaker(input: {
  source: BreakerEntry | undefined;
  heartbeatAtMs: number | undefined;
  nowMs: number;
  staleAfterMs: number;
  /** `since` to report when no heartbeat was ever seen: when this process first noticed. */
  noHeartbeatSinceMs: number;
}): BreakerView {
  const { source, heartbeatAtMs, nowMs, staleAfterMs } = input;
  const fresh = heartbeatAtMs !== undefined && nowMs - heartbeatAtMs <= staleAfterMs;
  if (fresh && source) return { state: source.state, reason: source.reason, since: source.since };
  const since = heartbeatAtMs !== undefined ? heartbeatAtMs + staleAfterMs : input.noHeartbeatSinceMs;
  return { state: 'open', reason: NO_HEARTBEAT, since };
}

export function sameBreaker(a: BreakerView, b: BreakerView): boolean {
  return a.state === b.state && a.reason === b.reason && a.since === b.since;
}

/** Holds the current view and publishes it (serialized once) whenever it changes. */
export class BreakerFeed {
  #source: BreakerEntry | undefined;
  #heartbeatAtMs: number | undefined;
  #noHeartbeatSinceMs: number;
  #view: BreakerView;
  #message: string;

  constructor(
    private readonly options: {
      staleAfterMs: number;
      now: () => number;
      publish: (message: string) => void;
    },
  ) {
    this.#noHeartbeatSinceMs = options.now();
    this.#view = this.#compute();
    this.#message = breakerMessage(this.#view);
  }

  /** A change read from `tap:breaker`. */
  applyEntry(entry: BreakerEntry): void {
    this.#source = laterBreaker(this.#source, entry);
    this.#update();
  }

  /** The breaker hash as just read (also the heartbeat check: call it periodically). */
  applyHash(hash: Record<string, string>): void {
    const parsed = parseBreakerHash(hash);
    this.#source = laterBreaker(this.#source, parsed.entry);
    this.#heartbeatAtMs = parsed.heartbeatAtMs;
    this.#update();
  }

  /** Re-evaluates the heartbeat age when the hash could not be read (Redis down fails closed too). */
  refresh(): void {
    this.#update();
  }

  view(): BreakerView {
    return this.#view;
  }

  /** The current state as a ready-to-send message (sent to every socket at auth). */
  snapshot(): string {
    return this.#message;
  }

  #compute(): BreakerView {
    return effectiveBreaker({
      source: this.#source,
      heartbeatAtMs: this.#heartbeatAtMs,
      nowMs: this.options.now(),
      staleAfterMs: this.options.staleAfterMs,
      noHeartbeatSinceMs: this.#noHeartbeatSinceMs,
    });
  }

  #update(): void {
    const next = this.#compute();
    if (next.reason !== NO_HEARTBEAT) this.#noHeartbeatSinceMs = this.options.now();
    if (sameBreaker(next, this.#view)) return;
    this.#view = next;
    this.#message = breakerMessage(next);
    this.options.publish(this.#message);
  }
}
