/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: a dependency that hangs,
 * for testing that a daemon or job stays responsive to SIGTERM while it waits.
 */
import { createServer, type Socket } from 'node:net';

export interface HangServer {
  port: number;
  url(scheme: string): string;
  close(): Promise<void>;
}

export function startHangServer(): Promise<HangServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        port,
        url: (scheme) => `${scheme}://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
