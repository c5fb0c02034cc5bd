export {
  backoffCeilingMs,
  DEFAULT_RECONNECT_POLICY,
  type ReconnectPolicy,
  reconnectDelayMs,
} from './reconnect-policy.js';
export { type Hex, type LoginParams, signIn, type TapSigner, walletSigner } from './sign-in.js';
export { createTapApi, type TapApi, type TapApiOptions } from './tap-api.js';
export {
  openTapSocket,
  type SocketState,
  type TapSocket,
  type TapSocketOptions,
  type WebSocketFactory,
  type WebSocketLike,
} from './tap-socket.js';
export type {
  ApiFailure,
  ApiResult,
  BalanceEventMessage,
  BetEventMessage,
  BetLookup,
  BetRequest,
  BetStatus,
  BetView,
  BreakerMessage,
  Candle1s,
  ErrorCode,
  ErrorMessage,
  EventMessage,
  FaucetAnswer,
  FillPrint,
  IndexPrint,
  LedgerRowView,
  LoginAnswer,
  Me,
  PlacedBet,
  PongMessage,
  ReadyMessage,
  ResyncMessage,
  ServerMessage,
  Terms,
  TickMessage,
} from './wire.js';
export { fillToAcceptedMs, placedMultiplierBp } from './wire.js';
