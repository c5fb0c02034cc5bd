/**
 * ingest-api's own latency for one route over a window, from its Prometheus histogram
 * `tap_ingest_api_request_duration_seconds` (request arrival → answer, in the server's event loop):
 * the bucket counts scraped at the window's start and end, subtracted. Unlike a generator's
 * latency, it leaves out the client and the loopback, so two generators driving the same stack can
 * be compared on the server's side (issue 19's generator-check). Quantiles are interpolated
 * linearly inside a bucket, as Prometheus' histogram_quantile does, so they are only as fine as the
 * buckets (0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000 ms); the bucket counts are kept too.
 */
const METRIC = 'tap_ingest_api_request_duration_seconds';

export interface ServerLatency {
  route: string;
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  /** Answers at or under each bound (cumulative, as Prometheus counts them); the last bound is +Inf. */
  buckets: { leMs: number; count: number }[];
}

/** Cumulative bucket counts of `route`, by upper bound in seconds (+Inf as Infinity). */
export function parseBuckets(metricsText: string, route: string): Map<number, number> {
  const buckets = new Map<number, number>();
  const prefix = `${METRIC}_bucket{`;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(prefix) || !line.includes(`route="${route}"`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return buckets;
}

/** The window's histogram (end − start) and its interpolated quantiles. */
export function latencyBetween(
  route: string,
  start: Map<number, number>,
  end: Map<number, number>,
): ServerLatency {
  const bounds = [...end.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((le) => ({ le, count: (end.get(le) ?? 0) - (start.get(le) ?? 0) }));
  const count = cumulative.at(-1)?.count ?? 0;
  const quantile = (q: number): number | null => {
    if (count === 0) return null;
    const rank = q * count;
    let lower = 0;
    let below = 0;
    for (const { le, count: atOrUnder } of cumulative) {
      if (atOrUnder >= rank) {
        // Above the last finite bound Prometheus answers that bound; so does this.
        if (!Number.isFinite(le)) return round2(lower * 1_000);
        const share = atOrUnder === below ? 0 : (rank - below) / (atOrUnder - below);
        return round2((lower + (le - lower) * share) * 1_000);
      }
      lower = le;
      below = atOrUnder;
    }
    return round2(lower * 1_000);
  };
  return {
    route,
    count,
    p50Ms: quantile(0.5),
    p90Ms: quantile(0.9),
    p99Ms: quantile(0.99),
    buckets: cumulative.map(({ le, count: n }) => ({
      leMs: Number.isFinite(le) ? le * 1_000 : Infinity,
      count: n,
    })),
  };
}

/** Scrapes now; `end()` scrapes again and returns the route's latency in between. */
export async function startServerLatencyWindow(
  apiUrl: string,
  route: string,
): Promise<{ end(): Promise<ServerLatency> }> {
  const start = parseBuckets(await scrape(apiUrl), route);
  return {
    async end() {
      return latencyBetween(route, start, parseBuckets(await scrape(apiUrl), route));
    },
  };
}

async function scrape(apiUrl: string): Promise<string> {
  const res = await fetch(`${apiUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${apiUrl}/metrics answered ${res.status}`);
  return res.text();
}

const round2 = (value: number) => Math.round(value * 100) / 100;
