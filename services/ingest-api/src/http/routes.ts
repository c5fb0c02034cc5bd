/**
 * The /v1 routes: each one begins the call, runs its use case, and maps the verdict to HTTP.
 * Unexpected errors answer 500 `internal` and are logged; they never leak details to the client. A
 * Redis that refuses a write (full, no permission, unreachable) answers 503 (redis-refusal.ts).
 */
import type { Channels } from '@tap/channels';
import { betIdSchema } from '@tap/domain';
import { FUTURE_RANGE_REASON } from '@tap/domain/print-pages';
import { isRedisUnavailable, type Logger, type Redis } from '@tap/runtime';
import type { TemplatedApp } from '@tap/uws';
import type { z } from 'zod';
import { describe, type LoginDeps, login } from '../auth/login.js';
import type { SessionStore } from '../auth/sessions.js';
import { betIdTimeMs } from '../bets/bet-id.js';
import { type PlaceBetDeps, placeBet } from '../bets/place-bet.js';
import type { TakeFaucet } from '../demo/faucet.js';
import type { RedisMemory } from '../market/redis-memory.js';
import { readMe } from '../me/me.js';
import { betListQuerySchema } from '../queries/bet-queries.js';
import { breakerHistoryQuerySchema, listBreakerIntervals } from '../queries/breaker-history.js';
import type { History } from '../queries/history.js';
import { historyQuerySchema, isFutureRange, isGridPage, listCandles } from '../queries/index-history.js';
import { ledgerQuerySchema } from '../queries/ledger-queries.js';
import { restoreStatus } from '../queries/restore-status.js';
import type { LocalTokenBucket } from '../rate-limit/local-token-bucket.js';
import type { ReaderPool } from '../reader/reader-pool.js';
import { bearerToken, beginCall, type HttpCall, reply, replyEncoded, replyError } from './call.js';
import type { HttpMetrics } from './metrics.js';
import { type ReadOk, read } from './read-reply.js';
import { redisRefusal } from './redis-refusal.js';

export interface ApiDeps {
  log: Logger;
  redis: Redis;
  channels: Channels;
  sessions: SessionStore;
  memory: RedisMemory;
  login: LoginDeps;
  bets: PlaceBetDeps;
  /** Every SQLite read: the reader worker thread, off this event loop (issue 19). */
  reader: ReaderPool;
  /** Queries reaching archived segments: a restore job, then the restored cache (issue 17). */
  history: History;
  /** Widest from..to of /v1/bets and /v1/ledger (LIST_RANGE_DAYS_MAX), ms. */
  listRangeMsMax: number;
  /** Index history queries that are not grid pages (uncacheable): a global budget. */
  historyRanges: LocalTokenBucket;
  bodyBytesMax: number;
  metrics: HttpMetrics;
  now: () => number;
  /** Present only in demo mode (DEMO_MODE=1): without it the route does not exist (404 not_found). */
  faucet?: TakeFaucet;
}

type Handler = (call: HttpCall) => Promise<void>;

export function registerRoutes(app: TemplatedApp, deps: ApiDeps): void {
  const on = (method: 'get' | 'post', pattern: string, name: string, params: number, handler: Handler) => {
    const run = guarded(deps, name, handler);
    const bodyBytesMax = method === 'post' ? deps.bodyBytesMax : 0;
    app[method](pattern, (res, req) => run(beginCall(res, req, params, bodyBytesMax)));
  };
  const authed = (handler: (call: HttpCall, userId: string) => Promise<void>): Handler => {
    return async (call) => {
      const userId = await deps.sessions.resolve(bearerToken(call));
      if (!userId) return replyError(call, 'session_invalid');
      await handler(call, userId);
    };
  };

  on('post', '/v1/auth/login', 'login', 0, async (call) => {
    const body = await call.body;
    if (!body.ok) return replyError(call, body.code);
    const verdict = await login(deps.login, body.value);
    deps.metrics.outcomes.inc({ route: 'login', outcome: verdict.ok ? 'ok' : verdict.code });
    if (verdict.ok) {
      return reply(call, 200, {
        token: verdict.token,
        expiresAt: verdict.expiresAt,
        address: verdict.address,
      });
    }
    replyError(call, verdict.code, { message: verdict.message, headers: retryAfter(verdict) });
  });

  on('post', '/v1/auth/logout', 'logout', 0, async (call) => {
    if (!(await deps.sessions.revoke(bearerToken(call)))) return replyError(call, 'session_invalid');
    reply(call, 200, { ok: true });
  });

  on(
    'get',
    '/v1/me',
    'me',
    0,
    authed(async (call, userId) => {
      reply(call, 200, await readMe(deps.redis, deps.channels, userId, deps.bets.entry));
    }),
  );

  on(
    'post',
    '/v1/bets',
    'place_bet',
    0,
    authed(async (call, userId) => {
      const body = await call.body;
      // SPEC §5: the receive time that prices the bet is taken once the WHOLE body has arrived.
      // Taken before it, a client could send headers, wait, and pick its cell knowing the future.
      const receivedAtMs = deps.now();
      if (!body.ok) return replyError(call, body.code);
      const verdict = await placeBet(deps.bets, userId, body.value, receivedAtMs);
      deps.metrics.outcomes.inc({ route: 'place_bet', outcome: verdict.ok ? 'accepted' : verdict.code });
      if (verdict.ok && verdict.fillPrints !== undefined) deps.metrics.fillDelay.observe(verdict.fillPrints);
      if (verdict.ok) return replyEncoded(call, 202, verdict.json);
      const headers = retryAfter(verdict);
      replyError(call, verdict.code, { message: verdict.message, details: verdict.details, headers });
    }),
  );

  on(
    'get',
    '/v1/bets/:id',
    'get_bet',
    1,
    authed(async (call, userId) => {
      const betId = call.params[0] ?? '';
      if (!betIdSchema.safeParse(betId).success) return notFound(call);
      const local = await read(call, deps, { op: 'bet', userId, betId, range: null });
      if (!local) return;
      if (local.body) return replyEncoded(call, 200, local.body);
      // Not stored yet: admitted and waiting for the batcher (its marker names the trader)?
      if (!local.stored && (await deps.redis.get(deps.channels.keys.pendingBet(betId))) === userId)
        return reply(call, 200, { betId, status: 'pending' });
      // Not local: its period (from the id's time, plus the apply lag) may be archived.
      const placedAtMs = betIdTimeMs(betId);
      const range = { fromMs: placedAtMs, toMs: placedAtMs + APPLY_LAG_MS_MAX };
      const archived = await read(call, deps, { op: 'bet', userId, betId, range });
      if (!archived) return;
      if (!archived.body) return notFound(call);
      replyEncoded(call, 200, archived.body);
    }),
  );

  on(
    'get',
    '/v1/bets',
    'list_bets',
    0,
    authed(async (call, userId) => {
      const query = parseQuery(call, betListQuerySchema);
      if (!query) return;
      const range = listRange(call, query, deps);
      if (range === undefined) return;
      const answer = await read(call, deps, { op: 'bets', userId, query, range });
      replyList(call, answer);
    }),
  );

  on(
    'get',
    '/v1/ledger',
    'ledger',
    0,
    authed(async (call, userId) => {
      const query = parseQuery(call, ledgerQuerySchema);
      if (!query) return;
      const range = listRange(call, query, deps);
      if (range === undefined) return;
      const answer = await read(call, deps, { op: 'ledger', userId, query, range });
      replyList(call, answer);
    }),
  );

  const { faucet } = deps;
  if (faucet) {
    on(
      'post',
      '/v1/demo/faucet',
      'demo_faucet',
      0,
      authed(async (call, userId) => {
        // New money from outside is not what the memory budget must keep room for: logins' level.
        const full = deps.memory.refusal('login');
        if (full) return replyError(call, full, { headers: { 'retry-after': '1' } });
        const verdict = await faucet(userId);
        deps.metrics.outcomes.inc({ route: 'demo_faucet', outcome: verdict.ok ? 'ok' : verdict.code });
        if (verdict.ok) return reply(call, 200, verdict.body);
        replyError(call, verdict.code, { details: { remainingMicros: verdict.remainingMicros } });
      }),
    );
  }

  on('get', '/v1/index/history', 'index_history', 0, async (call) => {
    const query = parseQuery(call, historyQuerySchema);
    if (!query) return;
    if (isFutureRange(query, deps.now())) {
      return refuseFutureRange(call);
    }
    if (query.resolution === '1s')
      return reply(call, 200, await listCandles(deps.redis, deps.channels, query));
    const gridPage = isGridPage(call.rawQuery, query);
    if (!gridPage && !deps.historyRanges.take(deps.now())) {
      deps.metrics.outcomes.inc({ route: 'index_history', outcome: 'ranges_busy' });
      return replyError(call, 'service_busy', {
        message:
          'too many history ranges right now; grid pages (from=<multiple of 10000>&to=from+10000) are not limited',
        headers: { 'retry-after': '1' },
      });
    }
    const range = { fromMs: query.from, toMs: query.to };
    const answer = await read(call, deps, { op: 'prints', query, range });
    deps.metrics.outcomes.inc({ route: 'index_history', outcome: gridPage ? 'grid_page' : 'range' });
    replyList(call, answer, deps.reader, gridPage ? pageCaching(answer) : {});
  });

  on('get', '/v1/restores/:id', 'restore_status', 1, async (call) => {
    const job = await restoreStatus(deps.redis, deps.channels, call.params[0] ?? '');
    if (!job) return replyError(call, 'not_found', { message: 'no such restore job' });
    reply(call, 200, job);
  });

  on('get', '/v1/breaker/history', 'breaker_history', 0, async (call) => {
    const query = parseQuery(call, breakerHistoryQuerySchema);
    if (!query) return;
    if (isFutureRange(query, deps.now())) {
      return refuseFutureRange(call);
    }
    reply(call, 200, await listBreakerIntervals(deps.redis, deps.channels, query));
  });
}

/** A bet is applied into the segment current at apply time: at most this long after its id's time. */
const APPLY_LAG_MS_MAX = 60_000;

/**
 * A list query with `from` may reach archived segments; without one it reads the local view only
 * (bounded by the view's weeks and the page's visit cap). A range wider than `listRangeMsMax`
 * answers 400 `invalid_query` and returns undefined.
 */
function listRange(
  call: HttpCall,
  query: { from?: number; to?: number },
  deps: { now: () => number; listRangeMsMax: number },
): { fromMs: number; toMs: number } | null | undefined {
  if (query.from === undefined) return null;
  const range = { fromMs: query.from, toMs: query.to ?? deps.now() };
  if (range.toMs - range.fromMs <= deps.listRangeMsMax) return range;
  const days = Math.round(deps.listRangeMsMax / 86_400_000);
  replyError(call, 'invalid_query', {
    message: `from..to spans more than ${days} days (to defaults to now); narrow it`,
  });
  return undefined;
}

/** A list query's page; only a bet lookup may find nothing, so a missing body is a bug (500, logged). */
function replyList(
  call: HttpCall,
  answer: ReadOk | null,
  recycleTo?: ReaderPool,
  headers: Record<string, string> = {},
): void {
  if (!answer) return; // answered already (busy, invalid, restore pending)
  if (!answer.body) throw new Error('the reader answered a list query without a body');
  replyEncoded(call, 200, answer.body, headers);
  // Written (uWS copied what it could not send yet): the buffer goes back to build a later page.
  // Only public pages (the index history): a trader's bets or ledger never sit in a spare buffer.
  recycleTo?.recycle(answer.body);
}

/**
 * A grid page's caching (queries/index-history.ts): a closed page never changes, kept a year; the
 * page still filling for a second (nginx's micro-cache: a flood of it is one query a second).
 */
function pageCaching(answer: ReadOk | null): Record<string, string> {
  return {
    'cache-control': answer?.final ? 'public, max-age=31536000, immutable' : 'public, max-age=1',
  };
}

function notFound(call: HttpCall): void {
  replyError(call, 'not_found', { message: 'no such bet for this trader' });
}

/**
 * Runs a handler; a failure it did not turn into a verdict answers 503 `store_unavailable` when
 * Redis was unreachable or timed out (REDIS_COMMAND_TIMEOUT_MS; the outcome of a write is then
 * unknown, and the client retries with the same clientBetId), 500 `internal` otherwise.
 */
function guarded(deps: ApiDeps, name: string, handler: Handler) {
  return (call: HttpCall) => {
    const stopTimer = deps.metrics.duration.startTimer({ route: name });
    deps.metrics.inFlight.inc();
    handler(call)
      .catch((err: unknown) => {
        if (isRedisUnavailable(err)) {
          deps.metrics.redisFailures.inc({ route: name });
          deps.log.warn({ err, route: name }, 'http.store_unavailable');
          return replyError(call, 'store_unavailable', { headers: { 'retry-after': '1' } });
        }
        deps.log.error({ err, route: name }, 'http.handler_failed');
        const refused = redisRefusal(err);
        if (!refused) return replyError(call, 'internal');
        deps.metrics.outcomes.inc({ route: name, outcome: refused });
        replyError(call, refused, { headers: { 'retry-after': '1' } });
      })
      .finally(() => {
        stopTimer();
        deps.metrics.inFlight.dec();
      });
  };
}

/** Retry-After (seconds) for the refusals a client should simply retry later. */
function retryAfter(verdict: { code: string; details?: Record<string, unknown> }): Record<string, string> {
  if (verdict.code === 'rate_limited') {
    return { 'retry-after': String(Math.ceil(Number(verdict.details?.retryAfterMs) / 1000)) };
  }
  const busy = ['service_unavailable', 'service_busy', 'login_busy', 'batcher_behind'].includes(verdict.code);
  return busy ? { 'retry-after': '1' } : {};
}

/** A history range that starts after our clock: "nothing yet" to a client (FUTURE_RANGE_REASON). */
function refuseFutureRange(call: HttpCall): void {
  replyError(call, 'invalid_query', {
    message: 'from must not be in the future',
    details: { reason: FUTURE_RANGE_REASON },
  });
}

/** Parses the query string, or answers 400 invalid_query and returns null. */
function parseQuery<S extends z.ZodTypeAny>(call: HttpCall, schema: S): z.infer<S> | null {
  const parsed = schema.safeParse(Object.fromEntries(call.query));
  if (parsed.success) return parsed.data;
  replyError(call, 'invalid_query', { message: describe(parsed.error) });
  return null;
}
