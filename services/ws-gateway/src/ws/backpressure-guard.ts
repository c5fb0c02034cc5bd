/**
 * Drops sockets whose uWS send buffer is over WS_SEND_BUFFER_BYTES_MAX, and counts it (SPEC §11).
 *
 * uWS itself enforces the limit (`maxBackpressure` + `closeOnBackpressureLimit`): a send to a socket
 * already over it is skipped and the socket is shut down. That is the memory bound, but uWS does not
 * tell JavaScript why a socket closed (it looks like any abnormal close, 1006). So after every
 * publish the guard schedules one sweep (setImmediate, coalesced) over the subscribers of the topics
 * just published: it runs after uWS has flushed the previous publish and before it flushes this
 * one, so it normally sees an over-limit socket first and drops it itself, counted `by="gateway"`.
 * A 1006 close of a socket last seen at least half full is counted `by="uws"`.
 * Cost: ticks and breaker changes sweep every socket (≤ 10 times a second); a user's events sweep
 * only that user's sockets.
 */

export interface Guarded {
  isOpen(): boolean;
  bufferedBytes(): number;
  dropForBackpressure(): void;
  /** What the last sweep saw, for classifying a close uWS did on its own. */
  bufferedBytesSeen: number;
}

export class BackpressureGuard {
  readonly #byTopic = new Map<string, Set<Guarded>>();
  readonly #topicsOf = new Map<Guarded, string[]>();
  readonly #pending = new Set<string>();
  #scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly bufferBytesMax: number) {}

  track(topic: string, socket: Guarded): void {
    let sockets = this.#byTopic.get(topic);
    if (!sockets) {
      sockets = new Set();
      this.#byTopic.set(topic, sockets);
    }
    sockets.add(socket);
    const topics = this.#topicsOf.get(socket);
    if (topics) topics.push(topic);
    else this.#topicsOf.set(socket, [topic]);
  }

  untrack(socket: Guarded): void {
    for (const topic of this.#topicsOf.get(socket) ?? []) {
      const sockets = this.#byTopic.get(topic);
      sockets?.delete(socket);
      if (sockets?.size === 0) this.#byTopic.delete(topic);
    }
    this.#topicsOf.delete(socket);
  }

  afterPublish(topic: string): void {
    this.#pending.add(topic);
    this.#scheduled ??= setImmediate(() => this.sweep());
  }

  /** Checks the subscribers of every topic published since the last sweep. */
  sweep(): void {
    this.#scheduled = undefined;
    for (const topic of this.#pending) {
      for (const socket of this.#byTopic.get(topic) ?? []) this.#check(socket);
    }
    this.#pending.clear();
  }

  /** True when a close uWS did by itself (code 1006) was most likely its backpressure limit. */
  closedByLimit(socket: Guarded, code: number): boolean {
    return code === 1006 && socket.bufferedBytesSeen * 2 >= this.bufferBytesMax;
  }

  stop(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#pending.clear();
  }

  #check(socket: Guarded): void {
    if (!socket.isOpen()) return;
    const bytes = socket.bufferedBytes();
    socket.bufferedBytesSeen = bytes;
    if (bytes > this.bufferBytesMax) socket.dropForBackpressure();
  }
}
