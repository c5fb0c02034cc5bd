/**
 * The /v1 routes: each one begins the call, runs its use case, and maps the verdict to HTTP.
 * Unexpected errors answer 500 `internal` and are logged; they never leak details to the client. A
 * Redis that refuses a write (full, no permission, unreachable) answers 503 (redis-refusal.ts).
 */
import type { Channels } from '@tap/channels';
import { betIdSchema, type SegmentView } from '@tap/domain';
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
import { betListQuerySchema, findBet, listBets } from '../queries/bet-queries.js';
import { breakerHistoryQuerySchema, listBreakerIntervals } from '../queries/breaker-history.js';
import type { History } from '../queries/history.js';
import { historyQuerySchema, isFutureRange, listCandles, listPrints } from '../queries/index-history.js';
import { ledgerQuerySchema, listLedger } from '../queries/ledger-queries.js';
import { restoreStatus } from '../queries/restore-status.js';
import { bearerToken, beginCall, type HttpCall, reply, replyError } from './call.js';
import { answerWithHistory } from './history-reply.js';
import type { HttpMetrics } from './metrics.js';
import { redisRefusal } from './redis-refusal.js';

export interface ApiDeps {
  log: Logger;
  redis: Redis;
  channels: Channels;
  sessions: SessionStore;
  memory: RedisMemory;
  login: LoginDeps;
  bets: PlaceBetDeps;
  segments: SegmentView;
  /** Queries reaching archived segments: a restore job, then the restored cache (issue 17). */
  history: History;
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
      reply(call, 200, await readMe(deps.redis, deps.channels, userId));
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
      if (verdict.ok) return reply(call, 202, verdict.body);
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
      const local = await findBet(deps.segments, deps.redis, deps.channels, userId, betId);
      if (local) return reply(call, 200, local);
      // Not local: its period (from the id's time, plus the apply lag) may be archived.
      const placedAtMs = betIdSchema.safeParse(betId).success ? betIdTimeMs(betId) : null;
      const range = placedAtMs === null ? null : { fromMs: placedAtMs, toMs: placedAtMs + APPLY_LAG_MS_MAX };
      await answerWithHistory(call, deps, { userId, range }, async (view) => {
        const bet =
          view === deps.segments ? null : await findBet(view, deps.redis, deps.channels, userId, betId);
        if (!bet) return replyError(call, 'not_found', { message: 'no such bet for this trader' });
        reply(call, 200, bet);
      });
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
      await answerWithHistory(call, deps, { userId, range: rangeOf(query, deps.now()) }, (view) =>
        reply(call, 200, listBets(view, userId, query)),
      );
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
      await answerWithHistory(call, deps, { userId, range: rangeOf(query, deps.now()) }, (view) =>
        reply(call, 200, listLedger(view, userId, query)),
      );
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
      return replyError(call, 'invalid_query', { message: 'from must not be in the future' });
    }
    if (query.resolution === '1s')
      return reply(call, 200, await listCandles(deps.redis, deps.channels, query));
    const range = { fromMs: query.from, toMs: query.to };
    await answerWithHistory(call, deps, { userId: null, range }, (view) =>
      reply(call, 200, listPrints(view, query)),
    );
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
      return replyError(call, 'invalid_query', { message: 'from must not be in the future' });
    }
    reply(call, 200, await listBreakerIntervals(deps.redis, deps.channels, query));
  });
}

/** A bet is applied into the segment current at apply time: at most this long after its id's time. */
const APPLY_LAG_MS_MAX = 60_000;

/** A query with `from` may reach archived segments; without one it reads the local view only. */
function rangeOf(query: { from?: number; to?: number }, nowMs: number) {
  return query.from === undefined ? null : { fromMs: query.from, toMs: query.to ?? nowMs };
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

/** Parses the query string, or answers 400 invalid_query and returns null. */
function parseQuery<S extends z.ZodTypeAny>(call: HttpCall, schema: S): z.infer<S> | null {
  const parsed = schema.safeParse(Object.fromEntries(call.query));
  if (parsed.success) return parsed.data;
  replyError(call, 'invalid_query', { message: describe(parsed.error) });
  return null;
}
