/**
 * What the ceiling and naive servers share: POST /v1/bets on a bare uWS app with the body read
 * whole, as ingest-api reads it, and the listen / `<name>.listening <port>` / SIGTERM lifecycle the
 * scenarios wait for. Only the handling differs, so the difference in the tables is the handling.
 */
import { type HttpResponse, listen, loadUws, type TemplatedApp } from '@tap/uws';

export interface BetPost {
  res: HttpResponse;
  /** The Authorization header (read before the body: uWS frees the request after the handler). */
  auth: string;
  body: Buffer;
  /** Whether the client went away since (answering an aborted response throws in uWS). */
  aborted(): boolean;
}

const uws = loadUws();

/** A uWS app answering POST /v1/bets with `handle`, called once the body is complete. */
export function betApp(handle: (post: BetPost) => void): TemplatedApp {
  const app = uws.App();
  app.post('/v1/bets', (res, req) => {
    const auth = req.getHeader('authorization');
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const chunks: Buffer[] = [];
    res.onData((chunk, isLast) => {
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast && !aborted) handle({ res, auth, body: Buffer.concat(chunks), aborted: () => aborted });
    });
  });
  return app;
}

/** Listens on 127.0.0.1:`port`, prints `<name>.listening <port> <extra>`, closes on SIGTERM. */
export async function serveUntilSigterm(
  app: TemplatedApp,
  port: number,
  name: string,
  close: () => void,
  extra = '',
): Promise<void> {
  const listening = await listen(uws, app, '127.0.0.1', port);
  process.stdout.write(`${name}.listening ${listening.port}${extra ? ` ${extra}` : ''}\n`);
  process.on('SIGTERM', () => {
    listening.close();
    close();
    process.exit(0);
  });
}
