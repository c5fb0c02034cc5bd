/**
 * Every API error code, its HTTP status and its default message. The code is the same string in
 * the HTTP body `{ error, message }`, the metric label and the log line (STYLE: errors are values).
 * Browser-safe (no imports): the web client imports this file alone as `@tap/domain/error-codes`.
 */
export const ERROR_CODES = {
  // request shape
  invalid_body: { status: 400, message: 'the request body is not valid' },
  invalid_query: { status: 400, message: 'the query parameters are not valid' },
  body_too_large: { status: 413, message: 'the request body exceeds 4 KiB' },
  unsupported_media_type: { status: 415, message: 'send application/json' },
  not_found: { status: 404, message: 'no such resource' },
  method_not_allowed: { status: 405, message: 'method not allowed on this route' },
  // login (SPEC §5)
  malformed_message: { status: 400, message: 'the sign-in message is not valid EIP-4361 text' },
  domain_mismatch: { status: 401, message: 'the sign-in message is for another domain' },
  uri_mismatch: { status: 401, message: 'the sign-in message is for another URI' },
  chain_not_allowed: {
    status: 401,
    message: 'the sign-in message names a chain this service does not accept',
  },
  message_expired: { status: 401, message: 'the sign-in message is too old or past its expiration time' },
  message_from_future: {
    status: 401,
    message: 'the sign-in message is issued in the future or not yet valid',
  },
  nonce_invalid: { status: 400, message: 'the nonce must be at least 8 alphanumeric characters' },
  nonce_reused: { status: 401, message: 'this nonce was already used' },
  signature_invalid: { status: 401, message: 'the signature cannot be verified' },
  address_mismatch: { status: 401, message: 'the signature was made by another address' },
  login_busy: { status: 503, message: 'too many logins in progress, retry shortly' },
  session_invalid: { status: 401, message: 'missing, expired or revoked session token' },
  rate_limited: { status: 429, message: 'too many requests, slow down' },
  // bets (SPEC §3, §6)
  cell_not_placeable: { status: 409, message: 'the cell starts too soon or lies beyond the horizon' },
  cell_not_offered: { status: 409, message: 'no multiplier is offered on this cell' },
  stake_out_of_range: { status: 400, message: 'the stake is outside the allowed range' },
  price_stale: { status: 409, message: 'the index price is stale, retry shortly' },
  quote_moved: { status: 409, message: 'the multiplier moved below your minimum' },
  exposure_limit: { status: 409, message: 'an exposure limit would be exceeded' },
  insufficient_funds: { status: 409, message: 'the available balance does not cover the stake' },
  wallet_frozen: { status: 403, message: 'this wallet is frozen by the operator; contact support' },
  idempotency_conflict: { status: 409, message: 'this clientBetId was used with a different request' },
  trading_halted: { status: 503, message: 'trading is halted: the price feed is unhealthy' },
  simulated_prices: {
    status: 503,
    message: 'the index comes from the price simulator; real-money bets are refused outside demo mode',
  },
  service_unavailable: { status: 503, message: 'the service cannot accept requests right now' },
  service_busy: { status: 503, message: 'the service is near its memory limit, retry later' },
  store_unavailable: {
    status: 503,
    message:
      'the data store did not answer in time; retry shortly (a bet retried with the same clientBetId is never placed twice)',
  },
  batcher_behind: {
    status: 503,
    message: 'bets are not being applied right now (the ledger writer is behind or down); retry shortly',
  },
  // demo mode only (DEMO_MODE=1 on ingest-api)
  faucet_exhausted: { status: 403, message: 'this wallet has taken all the demo funds it may' },
  restore_pending: { status: 202, message: 'the data is being restored from the archive' },
  internal: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ApiError {
  error: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

export function apiError(code: ErrorCode, message?: string, details?: Record<string, unknown>): ApiError {
  return { ...details, error: code, message: message ?? ERROR_CODES[code].message };
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
