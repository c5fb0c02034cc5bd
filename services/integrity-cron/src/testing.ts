/**
 * Integration-test helpers: a real Redis and the built batcher with traffic that ends in every
 * bet state (won, lost, void, still open, rejected), and a runner for the built integrity-cron
 * that returns its exit code and JSON report.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import { anchorsPath, type BetEntry } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  aBetPlacedNow,
  admitBetWhenReady,
  anAdjustment,
  aSettlement,
  freePort,
  freshPrefix,
  type IntegrityCronRun,
  runIntegrityCron,
  type Started,
  startDaemon,
  waitForHealthy,
} from '@tap/testkit';
import Database from 'better-sqlite3';
import type { IntegrityReport } from './report/report.js';

export const USERS = [1, 2, 3].map((n) => `0x${String(n).repeat(40)}`);
const USD = 1_000_000;

export interface Stack {
  redisUrl: string;
  redis: Redis;
  prefix: string;
  channels: Channels;
  dataDir: string;
  batcher: Started;
}

export async function startStack(redisUrl: string): Promise<Stack> {
  const prefix = freshPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-integrity-stack-'));
  const port = await freePort();
  const batcher = startDaemon('batcher', {
    REDIS_URL: redisUrl,
    TAP_KEY_PREFIX: prefix,
    OPS_PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // Bets here are settled by the test; the sweep would void the open one a minute after its window.
    DEAD_MAN_SWEEP_INTERVAL_MS: '0',
    ANCHOR_INTERVAL_MS: '1000',
  });
  await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 20_000);
  return { redisUrl, redis: new Redis(redisUrl), prefix, channels: createChannels(prefix), dataDir, batcher };
}

/** A bet placed now, admitted as ingest-api does (stake reserved, exposure booked). */
export async function placeBet(stack: Stack, userId: string, stakeMicros = USD): Promise<BetEntry> {
  const bet = aBetPlacedNow({ userId, stakeMicros });
  for (let i = 0; !(await admitBetWhenReady(stack.redis, stack.channels, bet)); i += 1) {
    if (i > 100) throw new Error('the balance cache never became ready');
    await sleep(100);
  }
  return bet;
}

export async function settle(stack: Stack, betId: string, outcome: 'won' | 'lost' | 'void') {
  const evidence = outcome === 'void' ? { reason: 'test' } : { printId: 1, t: Date.now(), priceCents: 1 };
  const entry = aSettlement({ betId, outcome, evidence, settledAt: Date.now() });
  await stack.redis.xadd(stack.channels.streams.settlements, '*', ...encodeEntry('settlements', entry));
}

export async function deposit(stack: Stack, userId: string, amountMicros: number) {
  const entry = anAdjustment({ userId, amountMicros, adjustmentId: `dep-${userId}-${Date.now()}` });
  await stack.redis.xadd(stack.channels.streams.adjustments, '*', ...encodeEntry('adjustments', entry));
}

/** The bet's status in the current segment once the batcher has stored it in one of `statuses`. */
export async function untilStatus(stack: Stack, betId: string, statuses: string[]): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = betStatus(stack.dataDir, betId);
    if (status !== undefined && statuses.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`bet ${betId} is ${status ?? 'not stored'}, not ${statuses}`);
    await sleep(50);
  }
}

function betStatus(dataDir: string, betId: string): string | undefined {
  const segments = join(dataDir, 'segments');
  const name = readdirNewest(segments);
  if (!name) return undefined;
  const db = new Database(join(segments, name), { readonly: true });
  try {
    return db.prepare('SELECT status FROM bets WHERE id = ?').pluck().get(betId) as string | undefined;
  } finally {
    db.close();
  }
}

function readdirNewest(dir: string): string | undefined {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.db'))
      .sort()
      .at(-1);
  } catch {
    return undefined; // the batcher has not created segments/ yet
  }
}

/** Every bet state: per user a win, a loss, a void and an open bet; one refused for lack of funds. */
export async function seedTraffic(stack: Stack): Promise<{ won: string[]; open: string[] }> {
  for (const user of USERS) await deposit(stack, user, 50 * USD);
  const won: string[] = [];
  const open: string[] = [];
  for (const user of USERS) {
    const bets = [await placeBet(stack, user), await placeBet(stack, user), await placeBet(stack, user)];
    open.push((await placeBet(stack, user)).betId);
    for (const bet of bets) await untilStatus(stack, bet.betId, ['accepted']);
    await settle(stack, bets[0]!.betId, 'won');
    await settle(stack, bets[1]!.betId, 'lost');
    await settle(stack, bets[2]!.betId, 'void');
    await untilStatus(stack, bets[0]!.betId, ['won']);
    await untilStatus(stack, bets[1]!.betId, ['lost']);
    await untilStatus(stack, bets[2]!.betId, ['void']);
    won.push(bets[0]!.betId);
  }
  // A wallet without money: its bet is rejected (insufficient_funds) and stored without ledger rows.
  const broke = await placeBet(stack, `0x${'9'.repeat(40)}`);
  await untilStatus(stack, broke.betId, ['rejected']);
  for (const betId of open) await untilStatus(stack, betId, ['accepted']);
  // The batcher anchors its ledger head every ANCHOR_INTERVAL_MS (1 s here): a run before the first
  // anchor rightly reports the anchors file missing.
  const deadline = Date.now() + 20_000;
  while (!existsSync(anchorsPath(stack.dataDir))) {
    if (Date.now() > deadline) throw new Error('the batcher never wrote its anchors file');
    await sleep(100);
  }
  return { won, open };
}

export type CronRun = IntegrityCronRun<IntegrityReport>;

export function runIntegrity(
  stack: Pick<Stack, 'redisUrl' | 'prefix'>,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<CronRun> {
  return runIntegrityCron<IntegrityReport>({ ...stack, dataDir }, env);
}

/** A copy of the data directory (segments and anchors) to corrupt; the batcher must be stopped. */
export function copyDataDir(dataDir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'tap-integrity-copy-'));
  cpSync(dataDir, copy, { recursive: true, filter: (src) => !src.endsWith('.lock') });
  return copy;
}

/** A writable connection to the copy's newest segment, for the corruption. */
export function openCopySegment(dataDir: string): Database.Database {
  const segments = join(dataDir, 'segments');
  return new Database(join(segments, readdirNewest(segments)!));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
