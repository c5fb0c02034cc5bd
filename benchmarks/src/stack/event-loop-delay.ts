/**
 * A daemon's own main-thread event-loop delay over a window, from its `/metrics`: prom-client's
 * `nodejs_eventloop_lag_*` gauges come from a `monitorEventLoopDelay` histogram that is reset at
 * every scrape, so a scrape at the start of the window and one at its end give that window's
 * p99 and max. Unlike the load generator's latency, this is not inflated when the generator itself
 * is starved of CPU: it says whether something blocked the daemon's event loop (issue 19: a
 * history page served on ingest-api's admission thread). The histogram samples every 10 ms
 * (prom-client's default precision), so an idle loop reads about 10 ms, not 0.
 */
export interface EventLoopDelay {
  p99Ms: number;
  maxMs: number;
}

export async function startEventLoopWindow(baseUrl: string): Promise<{ end(): Promise<EventLoopDelay> }> {
  await scrape(baseUrl); // resets the histogram: the window starts now
  return {
    async end() {
      const text = await scrape(baseUrl);
      return {
        p99Ms: gaugeMs(text, 'nodejs_eventloop_lag_p99_seconds'),
        maxMs: gaugeMs(text, 'nodejs_eventloop_lag_max_seconds'),
      };
    },
  };
}

async function scrape(baseUrl: string): Promise<string> {
  // A kept-alive connection the daemon closed while idle fails the request that picks it up
  // ("other side closed"): one retry, on a new connection.
  const res = await fetch(`${baseUrl}/metrics`).catch(() => fetch(`${baseUrl}/metrics`));
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics answered ${res.status}`);
  return res.text();
}

function gaugeMs(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  if (!match) throw new Error(`/metrics has no ${name}`);
  return Math.round(Number(match[1]) * 1_000 * 100) / 100;
}
