/**
 * The replay/live seam. While a resuming socket replays `tap:events` up to the live reader's
 * position P (taken synchronously when it starts), the live reader keeps handing that user's events
 * (ids > P) to its hold here instead of the socket, which is not yet subscribed to the user's topic.
 * When the replay reaches P, the caller takes the held events, sends them and subscribes — in one
 * synchronous step, so no publish can fall between: nothing is missed, nothing is sent twice.
 * Each hold is bounded; past the bound it only records that it overflowed (→ resync).
 */

export interface Hold {
  readonly userId: string;
  /** The live reader's position when the hold began: every event after it passes through the hold. */
  readonly fromId: string;
}

interface HoldState extends Hold {
  events: { id: string; message: string }[];
  overflowed: boolean;
  released: boolean;
}

export class CatchUps {
  readonly #byUser = new Map<string, Set<HoldState>>();

  constructor(private readonly eventsMax: number) {}

  hold(userId: string, fromId: string): Hold {
    const state: HoldState = { userId, fromId, events: [], overflowed: false, released: false };
    let holds = this.#byUser.get(userId);
    if (!holds) {
      holds = new Set();
      this.#byUser.set(userId, holds);
    }
    holds.add(state);
    return state;
  }

  /** Called by the live reader for every event, in stream order. */
  deliver(userId: string, id: string, message: string): void {
    const holds = this.#byUser.get(userId);
    if (!holds) return;
    for (const state of holds) {
      if (state.events.length >= this.eventsMax) state.overflowed = true;
      else state.events.push({ id, message });
    }
  }

  /** Ends a hold and returns what it held. Idempotent: a second release returns nothing. */
  release(hold: Hold): { events: { id: string; message: string }[]; overflowed: boolean } {
    const state = hold as HoldState;
    if (state.released) return { events: [], overflowed: false };
    state.released = true;
    const holds = this.#byUser.get(state.userId);
    holds?.delete(state);
    if (holds?.size === 0) this.#byUser.delete(state.userId);
    return { events: state.events, overflowed: state.overflowed };
  }

  /** Number of holds in progress (for health and tests). */
  get size(): number {
    let count = 0;
    for (const holds of this.#byUser.values()) count += holds.size;
    return count;
  }
}
