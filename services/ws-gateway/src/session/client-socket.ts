/**
 * What the session and replay logic need from a WebSocket. `src/ws/` implements it over uWS; unit
 * tests implement it with an array, so the protocol is tested without a socket.
 */
export interface ClientSocket {
  /** False once closed by either side; every other method is a no-op then. */
  isOpen(): boolean;
  send(message: string): void;
  /** Several messages in one write (uWS cork). */
  sendAll(messages: readonly string[]): void;
  /** Bytes uWS holds for this socket that the kernel has not taken yet. */
  bufferedBytes(): number;
  subscribe(topic: string): void;
  /** Closes with a code and reason the client sees. */
  end(code: number, reason: string): void;
  /** Drops a socket whose send buffer is over its limit; counted as a backpressure drop. */
  dropForBackpressure(): void;
}
