/**
 * Listening and closing for uWS apps: resolves with the bound port (port 0 picks a free one) and
 * a close function that stops accepting connections. Used by ingest-api and ws-gateway.
 */
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Uws } from './load.js';

export interface Listening {
  port: number;
  close(): void;
}

export function listen(uws: Uws, app: TemplatedApp, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket: us_listen_socket | false) => {
      if (!socket) {
        reject(new Error(`cannot listen on ${host}:${port}`));
        return;
      }
      let closed = false;
      resolve({
        port: uws.us_socket_local_port(socket),
        close() {
          if (closed) return;
          closed = true;
          uws.us_listen_socket_close(socket);
        },
      });
    });
  });
}
