/**
 * The uWS server of ws-gateway: ops routes today; `/v1/ws` (ticks, breaker changes, each user's
 * bet and balance events with resume by stream id, SPEC §11) lands with the bet-path and price
 * issues. Unknown routes answer a JSON error with a code.
 */
import { apiError } from '@tap/domain';
import type { Registry } from '@tap/runtime';
import { addOpsRoutes, type Listening, listen, loadUws, type OpsHealth, send } from '@tap/uws';

export async function startWsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  health: () => OpsHealth;
}): Promise<Listening> {
  const uws = loadUws();
  const app = uws.App();
  addOpsRoutes(app, options);
  app.any('/*', (res, req) => {
    send(
      res,
      '404 Not Found',
      'application/json',
      JSON.stringify(apiError('not_found', `no route ${req.getUrl()}`)),
    );
  });
  return listen(uws, app, options.host, options.port);
}
