/**
 * The uWS HTTP server of ingest-api: ops routes today, the /v1 API as the login and bet-path
 * issues land. Every unknown route answers a JSON error with a code (SPEC §5).
 */
import { apiError } from '@tap/domain';
import type { Registry } from '@tap/runtime';
import { addOpsRoutes, type Listening, listen, loadUws, type OpsHealth, send } from '@tap/uws';

export async function startHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
  health: () => OpsHealth;
}): Promise<Listening> {
  const uws = loadUws();
  const app = uws.App();
  addOpsRoutes(app, options);
  app.any('/*', (res, req) => {
    const body = apiError('not_found', `no route ${req.getMethod().toUpperCase()} ${req.getUrl()}`);
    send(res, '404 Not Found', 'application/json', JSON.stringify(body));
  });
  return listen(uws, app, options.host, options.port);
}
