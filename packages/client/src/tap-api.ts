/**
 * The HTTP half of the client: every /v1 route as a typed call that returns a value, never throws
 * for an answer the API gives (`{ ok: false, status, error, message }`, SPEC §5) nor for a network
 * error (`network_error`, status 0). A session token, once set, goes out as `Authorization: Bearer`.
 */
// A module of its own with no imports: nothing else of @tap/domain reaches a browser build (wire.ts).
import { FUTURE_RANGE_REASON, printPageQuery, printPageStarts } from '@tap/domain/print-pages';
import type {
  ApiFailure,
  ApiResult,
  BetLookup,
  BetRequest,
  BetStatus,
  Candle1s,
  FaucetAnswer,
  IndexPrint,
  LedgerRowView,
  LoginAnswer,
  Me,
  PlacedBet,
} from './wire.js';

export interface TapApiOptions {
  /** Origin (and optional prefix) in front of `/v1`, e.g. `https://tap.example` or '' in a page. */
  baseUrl: string;
  /** Defaults to the global fetch (browsers, Node ≥ 18). */
  fetch?: typeof fetch;
  /** Per-request limit; a slower answer is a `network_error`. Default 10 s. */
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

export interface TapApi {
  readonly baseUrl: string;
  token: string | null;
  login(body: { message: string; signature: string }): Promise<ApiResult<LoginAnswer>>;
  logout(): Promise<ApiResult<{ ok: true }>>;
  me(): Promise<ApiResult<Me>>;
  placeBet(request: BetRequest): Promise<ApiResult<PlacedBet>>;
  getBet(betId: string): Promise<ApiResult<BetLookup>>;
  listBets(query?: {
    cursor?: string;
    limit?: number;
    status?: BetStatus;
  }): Promise<ApiResult<{ bets: BetLookup[]; nextCursor: string | null }>>;
  listLedger(query?: {
    from?: number;
    to?: number;
    refType?: string;
    refId?: string;
    cursor?: number;
    limit?: number;
  }): Promise<ApiResult<{ rows: LedgerRowView[]; nextCursor: number | null }>>;
  /**
   * The prints with `from ≤ t < to`, read as the grid pages that cover them (@tap/domain
   * printPageQuery: the form nginx caches, issue 16), page by page; pages not begun yet are not asked.
   */
  indexPrints(query: { from: number; to: number }): Promise<ApiResult<{ prints: IndexPrint[] }>>;
  indexCandles(query: {
    from: number;
    to: number;
    limit?: number;
  }): Promise<ApiResult<{ candles: Candle1s[]; nextCursor: number | null }>>;
  /** Demo mode only (`DEMO_MODE=1` on ingest-api); a 404 `not_found` elsewhere. */
  demoFaucet(): Promise<ApiResult<FaucetAnswer>>;
}

export function createTapApi(options: TapApiOptions): TapApi {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const api: TapApi = {
    baseUrl: options.baseUrl,
    token: null,
    login: (body) => call('POST', '/v1/auth/login', undefined, body),
    logout: async () => {
      const result = await call<{ ok: true }>('POST', '/v1/auth/logout', undefined, {});
      if (result.ok) api.token = null;
      return result;
    },
    me: () => call('GET', '/v1/me'),
    placeBet: (request) =>
      call('POST', '/v1/bets', undefined, {
        clientBetId: request.clientBetId ?? crypto.randomUUID(),
        t0: request.t0,
        p0: request.p0,
        stakeMicros: request.stakeMicros,
        minMultiplierBp: request.minMultiplierBp,
      }),
    getBet: (betId) => call('GET', `/v1/bets/${encodeURIComponent(betId)}`),
    listBets: (query = {}) => call('GET', '/v1/bets', query),
    listLedger: (query = {}) => call('GET', '/v1/ledger', query),
    indexPrints: (query) => indexPrints(query),
    indexCandles: (query) => call('GET', '/v1/index/history', { ...query, resolution: '1s' }),
    demoFaucet: () => call('POST', '/v1/demo/faucet', undefined, {}),
  };

  async function indexPrints({ from, to }: { from: number; to: number }) {
    const prints: IndexPrint[] = [];
    const starts = printPageStarts(from, Math.min(to, Date.now() + 1));
    for (const start of starts) {
      let cursor: string | undefined;
      do {
        const page = await call<{ prints: IndexPrint[]; nextCursor: string | null }>(
          'GET',
          `/v1/index/history?${printPageQuery(start, cursor)}`,
        );
        // A page the server's clock has not begun yet (ours runs ahead): what came before is all.
        // Any other refusal is the caller's to see.
        if (!page.ok) return start !== starts[0] && isFuturePage(page) ? done(prints) : page;
        prints.push(...page.value.prints.filter((print) => print.t >= from && print.t < to));
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
    return done(prints);
  }

  async function call<T>(method: string, path: string, query?: Query, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = {};
    if (api.token) headers.authorization = `Bearer ${api.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetchFn(`${options.baseUrl}${path}${queryString(query)}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return networkError(err);
    }
    const parsed = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (res.ok && parsed !== null) return { ok: true, status: res.status, value: parsed as T };
    return failureOf(res.status, parsed);
  }
  return api;
}

const done = (prints: IndexPrint[]): ApiResult<{ prints: IndexPrint[] }> => ({
  ok: true,
  status: 200,
  value: { prints },
});

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const pairs = Object.entries(query).filter(
    (pair): pair is [string, string | number] => pair[1] !== undefined,
  );
  return pairs.length === 0
    ? ''
    : `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, String(v)]))}`;
}

function failureOf(status: number, body: Record<string, unknown> | null): ApiFailure {
  if (!body || typeof body.error !== 'string') {
    return {
      ok: false,
      status,
      error: 'internal',
      message: `HTTP ${status} without an error body`,
      details: {},
    };
  }
  const { error, message, ...details } = body;
  return {
    ok: false,
    status,
    error: error as ApiFailure['error'],
    message: typeof message === 'string' ? message : error,
    details,
  };
}

function networkError(err: unknown): ApiFailure {
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, status: 0, error: 'network_error', message, details: {} };
}

function isFuturePage(failure: ApiFailure): boolean {
  return failure.error === 'invalid_query' && failure.details.reason === FUTURE_RANGE_REASON;
}
