/**
 * Test double of ClientSocket: records what is sent, subscribed and how it closed. `deliver`
 * plays the uWS topic: a publish reaches the socket only if it is subscribed. Used by unit tests.
 */
import type { ClientSocket } from './client-socket.js';

export class FakeClientSocket implements ClientSocket {
  readonly sent: string[] = [];
  readonly topics: string[] = [];
  closed: { code: number; reason: string } | undefined;
  bufferedBytesNow = 0;
  /** Called when the socket closes, as uWS calls the close handler. */
  onClose: () => void = () => {};

  isOpen(): boolean {
    return this.closed === undefined;
  }

  send(message: string): void {
    if (this.isOpen()) this.sent.push(message);
  }

  sendAll(messages: readonly string[]): void {
    for (const message of messages) this.send(message);
  }

  bufferedBytes(): number {
    return this.bufferedBytesNow;
  }

  subscribe(topic: string): void {
    if (this.isOpen()) this.topics.push(topic);
  }

  end(code: number, reason: string): void {
    if (!this.isOpen()) return;
    this.closed = { code, reason };
    this.onClose();
  }

  dropForBackpressure(): void {
    this.end(1006, 'backpressure');
  }

  /** A topic publish as uWS would deliver it to this socket. */
  deliver(topic: string, message: string): void {
    if (this.topics.includes(topic)) this.send(message);
  }

  /** What was sent, parsed. */
  messages(): Record<string, unknown>[] {
    return this.sent.map((message) => JSON.parse(message) as Record<string, unknown>);
  }
}
