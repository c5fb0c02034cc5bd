/**
 * How a socket is told it hit a limit: an `error` message with the API's code, then a close whose
 * reason is the limit's name (the coded close reason the client logs and backs off on).
 */
import type { GatewayMetrics } from '../gateway-metrics.js';
import { errorMessage } from '../protocol/server-message.js';
import { CLOSE_CODES } from '../protocol/topics.js';
import type { ClientSocket } from '../session/client-socket.js';
import type { AdmissionRefusal } from './socket-admission.js';

export type LimitRefusal = AdmissionRefusal | 'message_rate';

const REFUSALS: Record<LimitRefusal, { message: string; close: number }> = {
  connections_max: {
    message: 'the gateway is at its connection limit; retry later',
    close: CLOSE_CODES.tryAgainLater,
  },
  connections_per_ip_max: { message: 'too many open sockets from this address', close: CLOSE_CODES.limited },
  sockets_per_session_max: { message: 'too many open sockets for this session', close: CLOSE_CODES.limited },
  resume_rate: {
    message: 'too many resumes for this session; reconnect with backoff',
    close: CLOSE_CODES.limited,
  },
  message_rate: { message: 'too many messages on this socket', close: CLOSE_CODES.limited },
  lookups_max: {
    message: 'the gateway is checking too many sessions at once; retry later',
    close: CLOSE_CODES.tryAgainLater,
  },
};

export function refuseForLimit(socket: ClientSocket, refusal: LimitRefusal, metrics: GatewayMetrics): void {
  const { message, close } = REFUSALS[refusal];
  metrics.limitRefusals.inc({ reason: refusal });
  const busy = refusal === 'connections_max' || refusal === 'lookups_max';
  socket.send(errorMessage(busy ? 'service_unavailable' : 'rate_limited', message));
  socket.end(close, refusal);
}
