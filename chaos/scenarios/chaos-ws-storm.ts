/**
 * chaos-ws-storm (issue 20, SPEC §11): 10,000 WebSocket clients holding resume ids reconnect at
 * once after kill -9 of ws-gateway, under bet load; then slow readers of one user whose feed is
 * flooded with real deposits (src/slow-readers.ts), beside a normal reader of that user. The
 * gateway's memory must stay bounded, every client must come back, resumes must be answered, and
 * the bet path must go on (src/ws-storm.ts). `--quick`: 1,000 clients (what chaos-ci runs).
 */

import type { ResultTable } from '@tap/benchmarks/scenario';
import { emptyOutcome, type Scenario } from '@tap/benchmarks/scenario';
import { faultTable, headlineOf, openChaosStack, restartNote } from '../src/chaos-run.js';
import { runStormPhase, type StormFigures, type StormShape } from '../src/ws-storm.js';

export const STORM_FULL: StormShape = { clients: 10_000, slowReaders: 20, ratePerS: 200, phaseMs: 45_000 };
export const STORM_QUICK: StormShape = { clients: 1_000, slowReaders: 20, ratePerS: 100, phaseMs: 20_000 };

/** ws-gateway's defaults (services/ws-gateway/README.md): what bounds its memory. */
const GATEWAY_BOUNDS = {
  connectionsMax: 20_000,
  sendBufferBytesMax: 1_048_576,
  resumeEventsMax: 200_000,
  resumeEventBytes: 400,
};

export const chaosWsStorm: Scenario = {
  name: 'chaos-ws-storm',
  title: 'Chaos: a WebSocket storm — every client resumes at once after kill -9 ws-gateway',
  description:
    `The chaos stack (100 wallets betting at ${STORM_FULL.ratePerS} bets/s, each with its own WebSocket) plus ` +
    `${STORM_FULL.clients.toLocaleString('en-US')} WebSocket clients (@tap/client in child processes of 5,000; sessions ` +
    'written to Redis as ingest-api stores them — a real login costs a signature recovery each, login-storm measures ' +
    'those), every one holding a resume id; 3 s into the phase ws-gateway is killed with SIGKILL and restarted 1 s ' +
    'later (systemd RestartSec=1), so all reconnect at once with backoff and full jitter and resume; once all are back, ' +
    `${STORM_FULL.slowReaders} slow readers of one user (authenticated, then never read) and a normal reader of that user ` +
    "join, and the user's feed is flooded with real deposits (balance events) until every slow reader is dropped; bets and " +
    `ticks flow until the phase ends (${STORM_FULL.phaseMs / 1000} s); a drain and the full audit. --quick: ` +
    `${STORM_QUICK.clients.toLocaleString('en-US')} clients, ${STORM_QUICK.slowReaders} slow readers, ` +
    `${STORM_QUICK.ratePerS} bets/s, ${STORM_QUICK.phaseMs / 1000} s.`,
  async run(ctx) {
    const shape = ctx.options.quick ? STORM_QUICK : STORM_FULL;
    const outcome = emptyOutcome();
    const chaos = await openChaosStack(ctx);
    try {
      outcome.notes.push(...chaos.bets.notes);
      const { row, figures } = await runStormPhase(ctx, chaos, shape, outcome);
      outcome.tables.unshift(
        faultTable('WebSocket storm', [row], restartNote(chaos.supervisor.restarts())),
        stormTable(figures),
      );
      outcome.headline = { ...headlineOf([row]), resubscribed_ms: figures.resubscribedMs };
    } finally {
      await chaos.close();
    }
    return outcome;
  },
};

export function stormTable(f: StormFigures): ResultTable {
  const b = GATEWAY_BOUNDS;
  const sendBound = (b.connectionsMax * b.sendBufferBytesMax) / 2 ** 30;
  const windowBound = (b.resumeEventsMax * b.resumeEventBytes) / 2 ** 20;
  const replayed = f.replays.replayed ?? 0;
  const resyncs = Object.entries(f.replays).filter(([outcome]) => outcome !== 'replayed');
  return {
    title: 'WebSocket storm: the clients and ws-gateway',
    columns: [
      'clients',
      'connect (ms)',
      'kill → all resubscribed (ms)',
      'resumes answered',
      'resumes → resync',
      'gateway RSS before / peak / after (MB)',
      'slow readers dropped (flood → all dropped, ms)',
      'flooded user’s normal reader: events got of sent',
      'bet p99 during the storm (ms)',
      'bet p99 / max, whole phase (ms)',
    ],
    rows: [
      [
        `${f.connected} of ${f.clients}`,
        f.connectMs,
        f.resubscribedMs,
        replayed,
        resyncs.map(([reason, n]) => `${reason} × ${n}`).join(', ') || '0',
        `${f.rssBeforeMb} / ${f.rssPeakMb} / ${f.rssAfterMb}`,
        `${f.slowDropped} of ${f.slowReaders} (${f.slowDroppedMs ?? '—'})`,
        `${f.floodSeen} of ${f.floodEvents}`,
        f.stormP99Ms,
        `${f.betP99Ms} / ${f.betMaxMs}`,
      ],
    ],
    notes: [
      "Resumes: the restarted gateway's own count (tap_ws_gateway_replays_total by outcome), read once every storm client is back, with the 100 betting wallets' sockets that were back by then; " +
        `the storm clients saw ${f.resyncsSeen} resync messages.`,
      `Memory bound from ws-gateway's config (defaults): send buffers ≤ WS_CONNECTIONS_MAX ${b.connectionsMax.toLocaleString('en-US')} × ` +
        `WS_SEND_BUFFER_BYTES_MAX 1 MiB = ${sendBound.toFixed(1)} GiB (a loose bound: it is what a full gateway of slow readers may hold), ` +
        `plus the resume window ≤ WS_RESUME_EVENTS_MAX ${b.resumeEventsMax.toLocaleString('en-US')} × ~${b.resumeEventBytes} B ≈ ${windowBound.toFixed(0)} MB. ` +
        `The harness's ulimit -n (${f.clientFdLimit} in this run) caps each client process's sockets (≤ 5,000 each here); the unit gives the gateway LimitNOFILE=1048576.`,
      "Slow readers: authenticated sockets of one user that stop reading (TCP paused); dropped counts the gateway's " +
        'tap_ws_gateway_backpressure_drops_total. A paused reader is dropped only once the kernel holds what it can (~3.9 MB on ' +
        "loopback: the gateway's send buffer grows to tcp_wmem's 4 MB; ~2.7 MB still with a 4 KB SO_RCVBUF on the reader, as " +
        "loopback's 64 KB MSS sizes the sender's first buffer — 48 KB with a 1460 B MSS, which Node cannot set) and then " +
        "its 1 MiB send buffer is full — at ~10 ticks/s far longer than a phase — so that user's own feed is flooded: real " +
        'deposits of 1 micro-dollar through tap:adjustments, applied by the batcher and published as balance events (as fast as the ' +
        'batcher applies them, ≤ 3,000 waiting). Time: the first deposits → the last slow reader dropped. A normal reader of the same ' +
        'user must get every flood event (each deposit the batcher applied).',
      'Bet p99: time to 202 from the planned send time; during the storm = the worst per-second p99 from the kill to the second every client was back.',
    ],
  };
}
