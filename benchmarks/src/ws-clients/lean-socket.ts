/**
 * A `ws` socket for `@tap/client`'s `openTapSocket` that counts price ticks instead of handing them
 * over: the client JSON-parses every frame, and thousands of harness sockets × 10 ticks/s kept the
 * harness's client processes busy parsing ticks nobody reads (the fan-out clients count them by
 * prefix for the same reason). Every other frame reaches the client unchanged; without ticks the
 * client still hears the gateway's `pong` to its heartbeat, so its liveness check holds.
 */
import type { WebSocketLike } from '@tap/client';
import WebSocket from 'ws';

const TICK_PREFIX = '{"type":"tick"';

export function leanSocket(url: string, onTick: () => void): WebSocketLike {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let handler: ((event: { data: string }) => void) | null = null;
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith(TICK_PREFIX)) onTick();
    else handler?.({ data: text });
  });
  // Shadows ws's own `onmessage` accessor: the client's handler gets only what passes above.
  Object.defineProperty(ws, 'onmessage', {
    get: () => handler,
    set: (next: typeof handler) => {
      handler = next;
    },
  });
  return ws as unknown as WebSocketLike;
}
