import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { leanSocket } from './lean-socket.js';

describe('leanSocket', () => {
  let server: WebSocketServer | undefined;
  afterEach(() => server?.close());

  it('counts ticks without handing them over and passes every other frame unchanged', async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server!.once('listening', resolve));
    server.on('connection', (peer) => {
      peer.send('{"type":"tick","t":1,"p":2}');
      peer.send('{"type":"ready","userId":"0xa"}');
      peer.send('{"type":"tick","t":2,"p":3}');
      peer.send('{"type":"pong","serverTime":5}');
    });
    const { port } = server.address() as AddressInfo;
    let ticks = 0;
    const socket = leanSocket(`ws://127.0.0.1:${port}`, () => {
      ticks += 1;
    });
    const received: string[] = [];
    const done = new Promise<void>((resolve) => {
      socket.onmessage = (event: { data: string }) => {
        received.push(event.data);
        if (received.length === 2) resolve();
      };
    });
    await done;
    socket.close();
    expect(received).toEqual(['{"type":"ready","userId":"0xa"}', '{"type":"pong","serverTime":5}']);
    expect(ticks).toBe(2);
  });
});
