/** Test helper: a data directory whose batcher segments roll over on a hand-driven clock. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fixedPeriodScheme,
  listSegments,
  openSegmentReadOnly,
  type PeriodScheme,
  segmentLinkProblems,
  verifyLedgerChain,
} from '@tap/domain';
import { createLogger } from '@tap/runtime';
import { aBet, TEST_OPERATOR_KEY } from '@tap/testkit';
import type { FailPoint } from '../config.js';
import { ledgerProblems, ledgerRows, TEST_BET_RULES } from '../storage/test-segment.js';
import { currentParts } from '../writer-parts.js';
import { openWriterSegments, type WriterSegments } from './writer-segments.js';

export const PERIOD_MS = 1_000;
export const START_MS = Date.parse('2026-12-06T12:00:00.100Z');

/** Thrown at a fail point: the in-process stand-in for the batcher's SIGKILL. */
export class Crash extends Error {}

export function rolloverFixture(scheme: PeriodScheme = fixedPeriodScheme(PERIOD_MS)) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-rollover-'));
  const log = createLogger('batcher', 'silent');
  const opened: WriterSegments[] = [];
  let nowMs = START_MS;
  const fixture = {
    dataDir,
    setClock(ms: number) {
      nowMs = ms;
    },
    /** `carryChunkUsers`: 1 stops the carry after every user (batches run between). */
    async open(crashAt?: FailPoint, carryChunkUsers?: number) {
      const segments = await openWriterSegments({
        ...{ dataDir, scheme, synchronous: 'FULL', log, carryChunkUsers },
        clock: () => nowMs,
        failPoint: (at) => {
          if (at === crashAt) throw new Crash(at);
        },
      });
      opened.push(segments);
      return { segments, parts: currentParts(segments, TEST_BET_RULES, TEST_OPERATOR_KEY) };
    },
    /** Deposits for each user and one open $1 bet each, in one transaction. */
    seed(parts: ReturnType<typeof currentParts>, users: string[], depositMicros: number) {
      const { ledger, bets, segment } = parts();
      const betIds: string[] = [];
      segment.db.transaction(() => {
        for (const userId of users) {
          ledger.credit(userId, depositMicros, 'deposit', `d-${userId}-${nowMs}`, nowMs);
          const bet = aBet({ userId, stakeMicros: 1_000_000 });
          ledger.debit(userId, bet.stakeMicros, 'bet_stake', bet.betId, nowMs);
          bets.insert(bet, 'accepted', null);
          betIds.push(bet.betId);
        }
      })();
      return betIds;
    },
    /** Starts a roll-over if due and runs its slices until it is done, as the batcher's loop does. */
    async rollOver(segments: WriterSegments) {
      let report = await segments.rollOverIfDue();
      while (!report && segments.carrier()) report = await segments.rollOverIfDue();
      return report;
    },
    problems: () => segmentsProblems(dataDir),
    close() {
      for (const segments of opened) segments.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Every rule of SPEC §7/§8 over all segments of a data dir: each on its own, each link, the chain. */
export function segmentsProblems(dataDir: string): string[] {
  const files = listSegments(dataDir);
  const dbs = files.map((file) => ({ name: file.name, db: openSegmentReadOnly(file.path) }));
  try {
    const problems = dbs.flatMap(({ name, db }) => ledgerProblemsFrom(db).map((p) => `${name}: ${p}`));
    for (let i = 1; i < dbs.length; i += 1) problems.push(...segmentLinkProblems(dbs[i - 1]!, dbs[i]!));
    const chain = verifyLedgerChain(dbs.flatMap(({ db }) => ledgerRows(db)));
    if (!chain.ok) problems.push(`the hash chain across segments breaks at row ${chain.id}`);
    return problems;
  } finally {
    for (const { db } of dbs) db.close();
  }
}

/** ledgerProblems checks its chain from the genesis hash; a later segment starts at its opening head. */
function ledgerProblemsFrom(db: ReturnType<typeof openSegmentReadOnly>): string[] {
  return ledgerProblems(db).filter((problem) => !problem.startsWith('chain broken'));
}
