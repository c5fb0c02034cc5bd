export { type Listening, listen, PortInUseError } from './listen.js';
export {
  assertNativeUws,
  type HttpRequest,
  type HttpResponse,
  loadUws,
  type TemplatedApp,
  type Uws,
  UwsUnavailableError,
  type WebSocket,
} from './load.js';
export { addOpsRoutes, type OpsHealth, send } from './ops-routes.js';
