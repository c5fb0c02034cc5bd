/**
 * The gateway's Prometheus metrics (SPEC §10), created once per registry: one row per metric —
 * full name (greppable, listed in docs/metrics.md), help, label names.
 */
import { Counter, Gauge, type Registry } from '@tap/runtime';

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

export function createGatewayMetrics(registry: Registry) {
  const registers = [registry];
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  return {
    connections: gauge('tap_ws_gateway_connections', 'Open WebSocket connections, authenticated or not'),
    clientsAuthenticated: gauge(
      'tap_ws_gateway_clients_authenticated',
      'Open WebSocket connections that passed auth',
    ),
    messagesPublished: counter(
      'tap_ws_gateway_messages_published_total',
      'Messages published to a uWS topic (one serialization each, however many subscribers)',
      ['topic'],
    ),
    backpressureDrops: counter(
      'tap_ws_gateway_backpressure_drops_total',
      'Sockets dropped because their send buffer exceeded WS_SEND_BUFFER_BYTES_MAX',
      ['by'],
    ),
    authFailures: counter('tap_ws_gateway_auth_failures_total', 'Sockets refused at auth, by code', ['code']),
    limitRefusals: counter(
      'tap_ws_gateway_limit_refusals_total',
      'Sockets closed for a limit, by reason (connections_max, connections_per_ip_max, sockets_per_session_max, resume_rate, message_rate)',
      ['reason'],
    ),
    sessionCloses: counter(
      'tap_ws_gateway_session_closes_total',
      'Open sockets closed because their session ended, by reason (session_revoked, session_expired)',
      ['reason'],
    ),
    invalidMessages: counter(
      'tap_ws_gateway_invalid_messages_total',
      'Client messages answered with invalid_body',
    ),
    replays: counter(
      'tap_ws_gateway_replays_total',
      'Resumes by lastEventId, by outcome (replayed or a resync reason)',
      ['outcome'],
    ),
    replayedEvents: counter(
      'tap_ws_gateway_replayed_events_total',
      'Events sent to resuming sockets from the resume window (not via the live topic)',
    ),
    readerLag: gauge(
      'tap_ws_gateway_reader_lag_seconds',
      'Now minus the append time of the newest entry the reader handled, per stream',
      ['stream'],
    ),
    entriesMalformed: counter(
      'tap_ws_gateway_entries_malformed_total',
      'Stream entries skipped because they fail their schema',
      ['stream'],
    ),
    readerErrors: counter('tap_ws_gateway_reader_errors_total', 'Failed XREADs (retried after a pause)'),
  };
}
