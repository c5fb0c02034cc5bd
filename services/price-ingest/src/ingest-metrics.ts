/** price-ingest's Prometheus metrics, in one place so the README table matches what is served. */
import { Counter, Gauge, type Registry } from '@tap/runtime';
import type { FrameKind } from './venues/venue-frame.js';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** Frame verdicts as counted: the parser's kinds plus the connection's sequence drop. */
export type CountedFrameKind = FrameKind | 'out_of_order';

export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  return {
    printsPublished: new Counter({
      name: 'tap_price_ingest_prints_total',
      help: 'Index prints published to the prices stream',
      registers,
    }),
    printsSkipped: new Counter({
      name: 'tap_price_ingest_prints_skipped_total',
      help: 'Print ticks that published nothing, by reason (no_fresh_venues, venues_disagree, publish_busy)',
      labelNames: ['reason'],
      registers,
    }),
    publishErrors: new Counter({
      name: 'tap_price_ingest_publish_errors_total',
      help: 'Prints whose Redis write failed',
      registers,
    }),
    indexVenues: new Gauge({
      name: 'tap_price_ingest_index_venues',
      help: 'Venues in the latest print (after the staleness and outlier rules)',
      registers,
    }),
    printAge: new Gauge({
      name: 'tap_price_ingest_print_age_seconds',
      help: 'Age of the latest published print',
      registers,
    }),
    venueFrames: new Counter({
      name: 'tap_price_ingest_venue_frames_total',
      help: 'Venue frames by verdict: quote, heartbeat, ack, error, ignored, unexpected, malformed, out_of_order',
      labelNames: ['venue', 'kind'],
      registers,
    }),
    sequenceGaps: new Counter({
      name: 'tap_price_ingest_venue_sequence_gaps_total',
      help: 'Jumps in a venue sequence number (messages missed; the next quote supersedes them)',
      labelNames: ['venue'],
      registers,
    }),
    reconnects: new Counter({
      name: 'tap_price_ingest_venue_reconnects_total',
      help: 'Venue connections lost and scheduled for reconnection',
      labelNames: ['venue'],
      registers,
    }),
    venueConnected: new Gauge({
      name: 'tap_price_ingest_venue_connected',
      help: '1 while the venue WebSocket is open',
      labelNames: ['venue'],
      registers,
    }),
    quoteAge: new Gauge({
      name: 'tap_price_ingest_venue_quote_age_seconds',
      help: 'Age of each venue latest quote (absent before the first)',
      labelNames: ['venue'],
      registers,
    }),
    simulated: new Gauge({
      name: 'tap_price_ingest_simulated',
      help: '1 while the index comes from the seeded simulator (VENUES=simulator), 0 on real venues',
      registers,
    }),
    simOutages: new Counter({
      name: 'tap_price_ingest_sim_outages_total',
      help: 'Simulated venue outages started',
      labelNames: ['venue'],
      registers,
    }),
  };
}
