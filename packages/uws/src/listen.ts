/**
 * Listening and closing for uWS apps: resolves with the bound port (port 0 picks a free one) and
 * a close function that stops accepting connections. Used by ingest-api and ws-gateway.
 *
 * The port is taken exclusively (LIBUS_LISTEN_EXCLUSIVE_PORT): by default uWS sets SO_REUSEPORT, so
 * a second instance started by mistake would bind the same port silently and the kernel would split
 * the clients between the two (issue 20). Exclusively, the second start fails with
 * `PortInUseError` and the daemon exits non-zero (lifecycle.ts logs `daemon.start_failed`).
 */
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Uws } from './load.js';

/** uWebSockets.js ListenOptions.LIBUS_LISTEN_EXCLUSIVE_PORT (a const enum in its typings). */
const LISTEN_EXCLUSIVE_PORT = 1;

export interface Listening {
  port: number;
  close(): void;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `cannot listen on ${host}:${port}: the port is taken (another instance of this daemon, or another ` +
        'process, holds it); refusing to share it',
    );
  }
}

export function listen(uws: Uws, app: TemplatedApp, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const onListen = (socket: us_listen_socket | false) => {
      if (!socket) {
        reject(new PortInUseError(host, port));
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
    };
    // The typings only declare (port, options, cb); the native build also takes the host first.
    (app.listen as unknown as (h: string, p: number, o: number, cb: typeof onListen) => void)(
      host,
      port,
      LISTEN_EXCLUSIVE_PORT,
      onListen,
    );
  });
}
