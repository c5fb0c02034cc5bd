/**
 * Did a reconnecting WebSocket client miss anything (SPEC §11: a client that resumes with the last
 * id it saw receives what it missed)? Pure: compares what each user's socket saw after its first
 * disconnect with what `tap:events` holds for that user.
 *
 * Checked span per user: after the last id it had seen when it first lost its socket, up to the
 * newest id it saw at the end. Events are delivered in stream order, so an event in that span that
 * the client never saw is missed — unless a `resync` came after it (the client was told to reload
 * over HTTP: not a silent miss, counted apart). Events after the newest id seen are not judged
 * here (they may still be in flight); the load worker's bet tracker covers the accepted/rejected
 * ones among them.
 */
import { compareStreamIds, streamIdTimeMs } from '@tap/channels/stream-ids';

/** What one socket saw once it had reconnected at least once. */
export interface ResumeTrace {
  userId: string;
  /** Exclusive lower bound: the last id seen before the first disconnect (or `<readyMs>-0`). */
  checkFromId: string;
  /** Inclusive upper bound: the newest id seen at the end (undefined: nothing seen). */
  lastSeenId: string | undefined;
  /** Every event id seen after the first disconnect. */
  seen: ReadonlySet<string>;
  /** When the last `resync` arrived (epoch ms), 0 if none. */
  lastResyncAtMs: number;
}

export interface StreamEvent {
  id: string;
  userId: string;
  betId?: string;
}

export interface ResumeCheck {
  /** Events in the checked spans. */
  checked: number;
  /** Of those, never seen and not covered by a later resync. */
  missed: StreamEvent[];
  /** Never seen, but a resync told the client to reload after them. */
  coveredByResync: number;
}

export function checkResumes(traces: readonly ResumeTrace[], events: Iterable<StreamEvent>): ResumeCheck {
  const byUser = new Map(traces.map((t) => [t.userId, t]));
  const result: ResumeCheck = { checked: 0, missed: [], coveredByResync: 0 };
  for (const event of events) {
    const trace = byUser.get(event.userId);
    if (!trace?.lastSeenId) continue;
    if (compareStreamIds(event.id, trace.checkFromId) <= 0) continue;
    if (compareStreamIds(event.id, trace.lastSeenId) > 0) continue;
    result.checked += 1;
    if (trace.seen.has(event.id)) continue;
    if (streamIdTimeMs(event.id) <= trace.lastResyncAtMs) result.coveredByResync += 1;
    else result.missed.push(event);
  }
  return result;
}

/** The lowest `checkFromId` of the traces: where a reader of `tap:events` must start. */
export function earliestCheckFrom(traces: readonly ResumeTrace[]): string | undefined {
  let earliest: string | undefined;
  for (const t of traces)
    if (earliest === undefined || compareStreamIds(t.checkFromId, earliest) < 0) earliest = t.checkFromId;
  return earliest;
}
