/**
 * The offline market (SPEC §9): a seeded geometric Brownian motion "true" price, quoted by three
 * simulated venues, each with its own spread, noise around the true price, update rate, network
 * latency, and occasional outages (the venue goes silent for a few seconds), so the median, the
 * staleness rules and the breaker all run for real without a network.
 *
 * Pure: `advanceSimulation` steps a plain state to a time, drawing from the PRNG it is given. Events
 * happen on a fixed schedule relative to the start, so the result depends only on the seed and
 * the start, not on how often the driver calls it. Wall-clock time lives only in the driver.
 *
 * The venues are modelled on the three real ones, seen from a host in US-East (figures as of 2025,
 * rounded; each venue's mid deviates from the common price by a few basis points, which is what
 * makes the index noisier at 100 ms than its diffusion — the calibration measures it):
 * - sim-a ≈ Coinbase BTC-USD: tick $0.01 (product `quote_increment`), quoted spread usually one or
 *   two ticks → half-spread 1 ¢; the ticker updates several times a second → every 50 ms; AWS
 *   us-east-1, ~15 ms away (+ jitter); mid within ~0.5 bp of the cross-venue price.
 * - sim-b ≈ Binance BTC/USDT converted to USD (binance-adapter.ts): tick $0.01, the tightest BTC
 *   book (Kaiko's spread studies: USDT pairs tighter than USD ones), spread a few ticks once
 *   converted → half-spread 2 ¢; every 100 ms; ~40 ms (+ jitter) from a host near its edge; mid
 *   within ~1 bp (the USDT/USD conversion adds its own error).
 * - sim-c ≈ Kraken BTC/USD: tick $0.10, spread usually one tick → half-spread 5 ¢; its bbo ticker
 *   is the least frequent (every 250 ms here) and the furthest (~80 ms + jitter); mid within ~2 bp.
 * - Outages: real venues drop their sockets every few hours for seconds to minutes; the default
 *   (`SIM_OUTAGE_MEAN_INTERVAL_MS`, one per venue every ~2 min, 3–8 s) is a deliberate stress that
 *   keeps the two-venue median and the breaker busy.
 * The calibration runs with these noises as they are, halved and doubled (`calibrate run
 * --noise-scale`; results in calibrate/CALIBRATION.md and docs/pricing.md).
 */
import type { SeededRandom } from '@tap/pricing';

export interface SimVenueSpec {
  name: string;
  /** Half the bid/ask spread, integer cents. */
  halfSpreadCents: number;
  /** Std-dev of the venue mid around the true price, basis points. */
  noiseBp: number;
  updateIntervalMs: number;
  latencyMs: number;
  /** Extra latency, uniform in [0, jitter). */
  latencyJitterMs: number;
}

export const DEFAULT_SIM_VENUES: readonly SimVenueSpec[] = [
  {
    name: 'sim-a',
    halfSpreadCents: 1,
    noiseBp: 0.5,
    updateIntervalMs: 50,
    latencyMs: 15,
    latencyJitterMs: 10,
  },
  {
    name: 'sim-b',
    halfSpreadCents: 2,
    noiseBp: 1,
    updateIntervalMs: 100,
    latencyMs: 40,
    latencyJitterMs: 20,
  },
  {
    name: 'sim-c',
    halfSpreadCents: 5,
    noiseBp: 2,
    updateIntervalMs: 250,
    latencyMs: 80,
    latencyJitterMs: 40,
  },
];

export interface SimConfig {
  startPriceCents: number;
  /** Annualised volatility of the true price (0.6 = 60 %/year). */
  volAnnual: number;
  /** Mean time between outages of one venue; 0 disables outages. */
  outageMeanIntervalMs: number;
  outageMinMs: number;
  outageMaxMs: number;
  venues: readonly SimVenueSpec[];
}

export interface SimState {
  /** Time of the last event processed. */
  tMs: number;
  /** ln of the true price in cents. */
  logPriceCents: number;
  venues: { nextUpdateMs: number; outageUntilMs: number }[];
}

export interface SimQuote {
  venue: string;
  bidCents: number;
  askCents: number;
  quotedAtMs: number;
  arriveAtMs: number;
}

export interface SimOutage {
  venue: string;
  fromMs: number;
  untilMs: number;
}

const SECONDS_PER_YEAR = 365.25 * 86_400;
/** Bounds the work of one call; a later call continues where this one stopped. */
const EVENTS_PER_ADVANCE_MAX = 10_000;

export function initialSimState(config: SimConfig, startMs: number): SimState {
  return {
    tMs: startMs,
    logPriceCents: Math.log(config.startPriceCents),
    venues: config.venues.map((v) => ({ nextUpdateMs: startMs + v.updateIntervalMs, outageUntilMs: 0 })),
  };
}

/** Processes every venue update scheduled up to `toMs`, in time order (ties by venue order). */
export function advanceSimulation(
  state: SimState,
  toMs: number,
  config: SimConfig,
  rng: SeededRandom,
): { state: SimState; quotes: SimQuote[]; outages: SimOutage[] } {
  const venues = state.venues.map((v) => ({ ...v }));
  let { tMs, logPriceCents } = state;
  const quotes: SimQuote[] = [];
  const outages: SimOutage[] = [];
  const sigmaPerSqrtSecond = config.volAnnual / Math.sqrt(SECONDS_PER_YEAR);
  for (let events = 0; events < EVENTS_PER_ADVANCE_MAX; events += 1) {
    const index = nextVenue(venues);
    const venue = venues[index]!;
    if (venue.nextUpdateMs > toMs) break;
    logPriceCents = stepGbm(logPriceCents, (venue.nextUpdateMs - tMs) / 1_000, sigmaPerSqrtSecond, rng);
    tMs = venue.nextUpdateMs;
    const spec = config.venues[index]!;
    venue.nextUpdateMs += spec.updateIntervalMs;
    if (tMs < venue.outageUntilMs) continue;
    const outage = maybeOutage(spec, tMs, config, rng);
    if (outage) {
      venue.outageUntilMs = outage.untilMs;
      outages.push(outage);
      continue;
    }
    quotes.push(quoteOf(spec, tMs, Math.exp(logPriceCents), rng));
  }
  return { state: { tMs, logPriceCents, venues }, quotes, outages };
}

function nextVenue(venues: SimState['venues']): number {
  let best = 0;
  for (let i = 1; i < venues.length; i += 1) {
    if (venues[i]!.nextUpdateMs < venues[best]!.nextUpdateMs) best = i;
  }
  return best;
}

/** Driftless in the price: ln S moves by −σ²dt/2 + σ√dt·Z. */
function stepGbm(logPrice: number, dtSeconds: number, sigma: number, rng: SeededRandom): number {
  if (dtSeconds <= 0) return logPrice;
  return logPrice - 0.5 * sigma * sigma * dtSeconds + sigma * Math.sqrt(dtSeconds) * rng.normal();
}

function maybeOutage(
  spec: SimVenueSpec,
  tMs: number,
  config: SimConfig,
  rng: SeededRandom,
): SimOutage | null {
  if (config.outageMeanIntervalMs <= 0) return null;
  const probability = 1 - Math.exp(-spec.updateIntervalMs / config.outageMeanIntervalMs);
  if (rng.uniform() >= probability) return null;
  const durationMs =
    config.outageMinMs + Math.floor(rng.uniform() * (config.outageMaxMs - config.outageMinMs));
  return { venue: spec.name, fromMs: tMs, untilMs: tMs + durationMs };
}

function quoteOf(spec: SimVenueSpec, tMs: number, trueCents: number, rng: SeededRandom): SimQuote {
  const midCents = Math.round(trueCents * (1 + (spec.noiseBp / 10_000) * rng.normal()));
  return {
    venue: spec.name,
    bidCents: midCents - spec.halfSpreadCents,
    askCents: midCents + spec.halfSpreadCents,
    quotedAtMs: tMs,
    arriveAtMs: tMs + spec.latencyMs + Math.floor(rng.uniform() * spec.latencyJitterMs),
  };
}
