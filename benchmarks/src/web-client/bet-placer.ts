/**
 * The trader's open bets for the web-client scenario: through `@tap/client` with the page's own
 * session, one $1 bet every `intervalMs` on a random offered cell, counting what was admitted and
 * what was refused (the price moved past the shown multiplier).
 */
import { createTapApi } from '@tap/client';
import { DEFAULT_PRICING_CONFIG as config, quoteCellFromPrint } from '@tap/pricing';

export interface BetPlacer {
  placed(): number;
  refusals(): Record<string, number>;
  stop(): void;
}

export function placeBetsEvery(baseUrl: string, token: string, intervalMs: number): BetPlacer {
  const api = createTapApi({ baseUrl });
  api.token = token;
  const refusals: Record<string, number> = {};
  let placed = 0;
  const timer = setInterval(() => {
    void placeOne(api).then((code) => {
      if (code === null) placed += 1;
      else refusals[code] = (refusals[code] ?? 0) + 1;
    });
  }, intervalMs);
  return { placed: () => placed, refusals: () => refusals, stop: () => clearInterval(timer) };
}

/** One $1 bet on a random offered cell 2–11 columns ahead within 5 bands; null or the refusal code. */
async function placeOne(api: ReturnType<typeof createTapApi>): Promise<string | null> {
  const history = await api.indexCandles({ from: Date.now() - 3_000, to: Date.now(), limit: 5 });
  const last = history.ok ? history.value.candles.at(-1) : undefined;
  if (!last) return 'no_price';
  const nowMs = Date.now();
  const t0 =
    (Math.ceil((nowMs + config.leadMs) / config.windowMs) + 1 + Math.floor(Math.random() * 10)) *
    config.windowMs;
  const p0 = (Math.floor(last.c / config.bandCents) + Math.floor(Math.random() * 11) - 5) * config.bandCents;
  // The candle's close stands in for the print, priced now: only whether the cell is offered matters.
  const print = { t: nowMs, priceCents: last.c, sigma: 0, noise: 0 };
  const quote = quoteCellFromPrint(print, { t0, p0, nowMs }, config);
  if (!quote.ok) return quote.code;
  const result = await api.placeBet({
    t0,
    p0,
    stakeMicros: 1_000_000,
    minMultiplierBp: config.multiplierBpMin,
  });
  return result.ok ? null : result.error;
}
