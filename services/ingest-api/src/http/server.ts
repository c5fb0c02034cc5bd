/**
 * The uWS HTTP server of ingest-api: ops routes, the /v1 API, and a JSON 404 with a code for
 * everything else (SPEC §5). uWS appears only in src/http/.
 */
import { apiError } from '@tap/domain';
import type { Registry } from '@tap/runtime';
import { addOpsRoutes, type Listening, listen, loadUws, type OpsHealth, send } from '@tap/uws';
import { type ApiDeps, registerRoutes } from './routes.js';

export async function startHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
  health: () => OpsHealth;
  api: ApiDeps;
}): Promise<Listening> {
  const uws = loadUws();
  const app = uws.App();
  addOpsRoutes(app, options);
  registerRoutes(app, options.api);
  app.any('/*', (res, req) => {
    const body = apiError('not_found', `no route ${req.getMethod().toUpperCase()} ${req.getUrl()}`);
    send(res, '404 Not Found', 'application/json', JSON.stringify(body));
  });
  return listen(uws, app, options.host, options.port);
}
