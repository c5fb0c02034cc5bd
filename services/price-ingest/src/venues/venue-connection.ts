/**
 * One venue's WebSocket: connect, send the adapter's subscriptions, classify every frame with the
 * adapter's pure parser, hand quotes to the quote book, and reconnect with full-jitter exponential
 * backoff when the socket drops or goes silent (no frame and no ping for `silenceMs`: a half-open
 * connection). Sequence numbers are checked per connection. Nothing a venue sends can throw out
 * of here: every frame is a verdict that is counted, and the odd ones are logged, rate-limited.
 */
import type { Logger } from '@tap/runtime';
import WebSocket from 'ws';
import type { CountedFrameKind, IngestMetrics } from '../ingest-metrics.js';
import { type BackoffRules, fullJitterDelayMs } from './backoff.js';
import { createRateLimiter } from './rate-limited-log.js';
import { checkSequence } from './sequence-check.js';
import type { Quote, VenueAdapter, VenueFrame } from './venue-frame.js';

export interface VenueConnectionOptions {
  adapter: VenueAdapter;
  backoff: BackoffRules;
  silenceMs: number;
  handshakeTimeoutMs: number;
  onQuote(venue: string, quote: Quote, receivedAtMs: number): void;
  metrics: Pick<IngestMetrics, 'venueFrames' | 'sequenceGaps' | 'reconnects' | 'venueConnected'>;
  log: Logger;
  random?: () => number;
}

const LOG_INTERVAL_MS = 10_000;
const FRAME_BYTES_MAX = 1 << 20;
const CLOSE_WAIT_MS = 1_000;

export function startVenueConnection(options: VenueConnectionOptions): VenueConnection {
  return new VenueConnection(options);
}

export class VenueConnection {
  private readonly venue: string;
  private readonly log: Logger;
  private readonly limiter = createRateLimiter(LOG_INTERVAL_MS);
  private readonly watchdog: NodeJS.Timeout;
  private socket: WebSocket | undefined;
  private open = false;
  private closing = false;
  private attempt = 0;
  private lastSequence: number | null = null;
  private lastFrameAtMs = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: VenueConnectionOptions) {
    this.venue = options.adapter.venue;
    this.log = options.log.child({ venue: this.venue });
    const checkEveryMs = Math.max(50, Math.min(1_000, options.silenceMs / 4));
    this.watchdog = setInterval(() => this.checkSilence(), checkEveryMs);
    this.connect();
  }

  connected(): boolean {
    return this.open;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    clearTimeout(this.reconnectTimer);
    const ws = this.socket;
    if (!ws) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, CLOSE_WAIT_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000);
    });
  }

  private connect(): void {
    if (this.closing) return;
    this.lastSequence = null;
    const { adapter, handshakeTimeoutMs, metrics } = this.options;
    const ws = new WebSocket(adapter.url, {
      handshakeTimeout: handshakeTimeoutMs,
      maxPayload: FRAME_BYTES_MAX,
    });
    this.socket = ws;
    ws.on('open', () => {
      this.open = true;
      this.lastFrameAtMs = Date.now();
      metrics.venueConnected.set({ venue: this.venue }, 1);
      for (const frame of adapter.subscribeFrames()) ws.send(frame);
      this.log.info({ url: adapter.url }, 'venue.connected');
    });
    ws.on('message', (data) => this.onFrame(data.toString()));
    ws.on('ping', () => {
      this.lastFrameAtMs = Date.now();
    });
    ws.on('error', (err) => this.logLimited('socket', { err: err.message }, 'venue.socket_error'));
    ws.on('close', (code) => {
      if (this.socket === ws) this.socket = undefined;
      this.open = false;
      metrics.venueConnected.set({ venue: this.venue }, 0);
      this.scheduleReconnect(`closed_${code}`);
    });
  }

  private onFrame(raw: string): void {
    const receivedAtMs = Date.now();
    this.lastFrameAtMs = receivedAtMs;
    const frame = this.options.adapter.parse(raw);
    const sequence = 'sequence' in frame ? frame.sequence : undefined;
    const checked = checkSequence(this.options.adapter.sequenceMode, this.lastSequence, sequence);
    if (checked.verdict === 'out_of_order') {
      this.count('out_of_order');
      return;
    }
    if (checked.verdict === 'gap') this.options.metrics.sequenceGaps.inc({ venue: this.venue });
    this.lastSequence = checked.last;
    this.count(frame.kind);
    this.handleFrame(frame, raw, receivedAtMs);
  }

  private handleFrame(frame: VenueFrame, raw: string, receivedAtMs: number): void {
    if (frame.kind === 'quote') {
      this.attempt = 0;
      const { bidCents, askCents, venueTimeMs } = frame;
      const quote = { bidCents, askCents, ...(venueTimeMs === undefined ? {} : { venueTimeMs }) };
      this.options.onQuote(this.venue, quote, receivedAtMs);
    } else if (frame.kind === 'error') {
      this.logLimited('error', { message: frame.message }, 'venue.error_frame');
    } else if (frame.kind === 'malformed' || frame.kind === 'unexpected') {
      this.logLimited(
        frame.kind,
        { reason: frame.reason, frame: raw.slice(0, 200) },
        `venue.${frame.kind}_frame`,
      );
    }
  }

  private scheduleReconnect(why: string): void {
    if (this.closing) return;
    const delayMs = fullJitterDelayMs(this.attempt, this.options.backoff, this.options.random ?? Math.random);
    this.attempt += 1;
    this.options.metrics.reconnects.inc({ venue: this.venue });
    this.log.info({ why, delayMs, attempt: this.attempt }, 'venue.reconnect_scheduled');
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private checkSilence(): void {
    if (this.socket && this.open && Date.now() - this.lastFrameAtMs > this.options.silenceMs) {
      this.log.warn({ silenceMs: this.options.silenceMs }, 'venue.silent');
      this.socket.terminate();
    }
  }

  private count(kind: CountedFrameKind): void {
    this.options.metrics.venueFrames.inc({ venue: this.venue, kind });
  }

  private logLimited(key: string, fields: Record<string, unknown>, event: string): void {
    const admitted = this.limiter.admit(key);
    if (admitted) this.log.warn({ ...fields, suppressed: admitted.suppressed }, event);
  }
}
