import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkAnchorsAgainst,
  isoWeekScheme,
  type LedgerAnchor,
  listSegments,
  migrate,
  openSegmentReadOnly,
  readSegmentMeta,
  SEGMENT_MIGRATIONS,
  segmentPath,
  segmentsDir,
} from '@tap/domain';
import { createLogger } from '@tap/runtime';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { FailPoint } from '../config.js';
import { createAnchorWriter } from '../storage/anchors.js';
import { Crash, PERIOD_MS, rolloverFixture, START_MS } from './rollover-fixture.js';
import { openWriterSegments } from './writer-segments.js';

const USERS = ['0xa1', '0xb2', '0xc3'];
const USD = 1_000_000;

const stateOf = (path: string) => {
  const db = openSegmentReadOnly(path);
  try {
    return readSegmentMeta(db).state;
  } finally {
    db.close();
  }
};

describe('segment roll-over (real SQLite files, hand-driven clock)', () => {
  let fixture: ReturnType<typeof rolloverFixture>;
  afterEach(() => fixture.close());

  it('carries balances as opening rows and open bets into the next period, and closes the old segment', async () => {
    fixture = rolloverFixture();
    const { segments, parts } = await fixture.open();
    const betIds = fixture.seed(parts, USERS, 10 * USD);
    expect(await segments.rollOverIfDue()).toBeNull();
    fixture.setClock(START_MS + PERIOD_MS);
    const report = await fixture.rollOver(segments);
    expect(report).toMatchObject({ users: 3, carriedBets: 3 });
    const [old, current] = listSegments(fixture.dataDir);
    expect(segments.current().name).toBe(current!.name);
    expect(stateOf(old!.path)).toBe('closed');
    // Sealed: read-only, with the empty -wal/-shm a reader that cannot write segments/ needs.
    for (const suffix of ['', '-wal', '-shm']) {
      expect(statSync(`${old!.path}${suffix}`).mode & 0o777).toBe(0o444);
    }
    expect(statSync(`${old!.path}-wal`).size).toBe(0);
    expect(stateOf(current!.path)).toBe('open');
    expect(parts().ledger.balanceOf(USERS[0]!)).toBe(9 * USD);
    expect(parts().bets.get(betIds[0]!)).toMatchObject({ status: 'accepted', userId: USERS[0] });
    expect(fixture.problems()).toEqual([]);
  });

  it('still knows an adjustment id applied in the previous segment after a roll-over', async () => {
    fixture = rolloverFixture();
    const { segments, parts } = await fixture.open();
    parts().ledger.credit(USERS[0]!, USD, 'deposit', 'dep-1', START_MS);
    fixture.setClock(START_MS + PERIOD_MS);
    await fixture.rollOver(segments);
    expect(parts().ledger.hasRef('deposit', 'dep-1')).toBe(true);
    expect(parts().ledger.hasRef('deposit', 'dep-2')).toBe(false);
  });

  it('finds a closing balance that the next segment did not open with', async () => {
    fixture = rolloverFixture();
    const { segments, parts } = await fixture.open();
    fixture.seed(parts, USERS, 10 * USD);
    fixture.setClock(START_MS + PERIOD_MS);
    await fixture.rollOver(segments);
    const old = listSegments(fixture.dataDir)[0]!;
    chmodSync(old.path, 0o644);
    const db = new Database(old.path);
    db.prepare('UPDATE closing_balances SET balance = balance + 1 WHERE user_id = ?').run(USERS[0]);
    db.close();
    expect(fixture.problems()).toEqual([
      expect.stringContaining(`${USERS[0]} closed at ${9 * USD + 1}, holds ${9 * USD}`),
      expect.stringContaining(`${USERS[0]} closed at ${9 * USD + 1}, opened with [${9 * USD}]`),
    ]);
  });

  it("anchors a new segment only once it holds a ledger row of its own (before that its head is the old segment's)", async () => {
    fixture = rolloverFixture();
    const { segments, parts } = await fixture.open(undefined, 1);
    const anchors = createAnchorWriter(join(fixture.dataDir, 'anchors.jsonl'), () => ({
      segment: parts().segment.name,
      head: parts().ledger.ownHead(),
    }));
    fixture.seed(parts, USERS, 10 * USD);
    const written = [anchors.anchor(START_MS)];
    fixture.setClock(START_MS + PERIOD_MS);
    // Switched, nothing carried yet: the chain head is still the closing segment's last row.
    expect(await segments.rollOverIfDue()).toBeNull();
    expect(parts().ledger.ownHead()).toBeUndefined();
    expect(anchors.anchor(START_MS + PERIOD_MS)).toBeUndefined();
    await fixture.rollOver(segments);
    written.push(anchors.anchor(START_MS + PERIOD_MS + 1));
    expect(written.map((a) => a?.segment)).toEqual(listSegments(fixture.dataDir).map((f) => f.name));
    const check = checkAnchorsAgainst(fixture.dataDir, written as LedgerAnchor[]);
    expect(check).toMatchObject({ checked: 2, problems: [] });
  });

  it('keeps the chain and the balances over many periods with movements in each', async () => {
    fixture = rolloverFixture();
    const { segments, parts } = await fixture.open();
    let clockMs = START_MS;
    for (let period = 1; period <= 6; period += 1) {
      fixture.seed(parts, USERS, USD);
      // Periods without a batcher are skipped: the next segment is the clock's period.
      clockMs += period === 3 ? 3 * PERIOD_MS : PERIOD_MS;
      fixture.setClock(clockMs);
      await fixture.rollOver(segments);
    }
    expect(listSegments(fixture.dataDir)).toHaveLength(7);
    expect(parts().ledger.balanceOf(USERS[1]!)).toBe(0);
    expect(fixture.problems()).toEqual([]);
  });

  it('applies batches during the carry: an uncarried user or open bet is carried first, in the batch', async () => {
    fixture = rolloverFixture();
    const { segments, parts } = await fixture.open(undefined, 1);
    const betIds = fixture.seed(parts, USERS, 10 * USD);
    fixture.setClock(START_MS + PERIOD_MS);
    expect(await segments.rollOverIfDue()).toBeNull();
    const [old, current] = listSegments(fixture.dataDir);
    expect([stateOf(old!.path), stateOf(current!.path)]).toEqual(['closing', 'open']);
    expect(parts().segment.name).toBe(current!.name);
    // Nothing is carried yet: the balance is the closing one, read from the closing segment.
    expect(parts().ledger.balanceOf(USERS[2]!)).toBe(9 * USD);
    const { ledger, bets, segment } = parts();
    segment.db.transaction(() => {
      ledger.credit(USERS[2]!, USD, 'deposit', 'late-deposit', START_MS + PERIOD_MS);
      const bet = bets.get(betIds[1]!);
      expect(bet).toMatchObject({ status: 'accepted', userId: USERS[1] });
      bets.settle(betIds[1]!, {
        status: 'void',
        reason: 'test',
        payoutMicros: 0,
        evidence: {},
        settledAt: 1,
      });
      ledger.credit(USERS[1]!, USD, 'bet_refund', betIds[1]!, START_MS + PERIOD_MS);
      ledger.credit('0xnew', 2 * USD, 'deposit', 'new-user', START_MS + PERIOD_MS);
    })();
    // A rolled-back batch carries nothing (the batch applier resets the chain head with it).
    const head = ledger.head();
    expect(() =>
      segment.db.transaction(() => {
        ledger.credit(USERS[0]!, USD, 'deposit', 'rolled-back', START_MS + PERIOD_MS);
        throw new Error('rollback');
      })(),
    ).toThrow('rollback');
    ledger.resetHead(head);
    expect(parts().ledger.balanceOf(USERS[0]!)).toBe(9 * USD);
    expect(parts().ledger.balanceOf(USERS[2]!)).toBe(10 * USD);
    const report = await fixture.rollOver(segments);
    expect(report).toMatchObject({ users: 3, carriedBets: 3 });
    expect(stateOf(old!.path)).toBe('closed');
    expect(USERS.map((u) => parts().ledger.balanceOf(u))).toEqual([9 * USD, 10 * USD, 10 * USD]);
    expect(parts().ledger.balanceOf('0xnew')).toBe(2 * USD);
    expect(parts().bets.get(betIds[0]!)?.status).toBe('accepted');
    expect(parts().bets.get(betIds[1]!)?.status).toBe('void');
    expect(fixture.problems()).toEqual([]);
  });

  it.each<FailPoint>([
    'rollover_after_closing',
    'rollover_after_opening',
    'rollover_after_switch',
    'rollover_during_carry',
    'rollover_after_carry',
  ])('completes the roll-over at the next start after a crash at %s', async (crashAt) => {
    fixture = rolloverFixture();
    const first = await fixture.open(crashAt, 1);
    const betIds = fixture.seed(first.parts, USERS, 5 * USD);
    fixture.setClock(START_MS + PERIOD_MS);
    await expect(fixture.rollOver(first.segments)).rejects.toThrow(Crash);
    const restarted = await fixture.open();
    const files = listSegments(fixture.dataDir);
    expect(files).toHaveLength(2);
    expect(restarted.segments.current().name).toBe(files[1]!.name);
    expect(restarted.segments.carrier()).toBeNull();
    expect(files.map((file) => stateOf(file.path))).toEqual(['closed', 'open']);
    expect(restarted.parts().ledger.balanceOf(USERS[2]!)).toBe(4 * USD);
    expect(restarted.parts().bets.get(betIds[2]!)?.status).toBe('accepted');
    expect(fixture.problems()).toEqual([]);
  });

  it('writes the old segment after a restart in a later period until the loop rolls it over', async () => {
    fixture = rolloverFixture();
    const first = await fixture.open();
    fixture.seed(first.parts, USERS, 2 * USD);
    first.segments.close();
    fixture.setClock(START_MS + 5 * PERIOD_MS);
    const restarted = await fixture.open();
    expect(listSegments(fixture.dataDir)).toHaveLength(1);
    expect(restarted.parts().ledger.balanceOf(USERS[0]!)).toBe(USD);
    await fixture.rollOver(restarted.segments);
    expect(restarted.parts().ledger.balanceOf(USERS[0]!)).toBe(USD);
    expect(fixture.problems()).toEqual([]);
  });

  it('adopts a segment written before roll-overs existed and rolls it over on Monday', async () => {
    fixture = rolloverFixture(isoWeekScheme);
    const sunday = Date.parse('2026-12-06T23:59:58Z');
    mkdirSync(segmentsDir(fixture.dataDir));
    const db = new Database(segmentPath(fixture.dataDir, '2026-W49'));
    migrate(db, SEGMENT_MIGRATIONS.slice(0, 3));
    db.prepare("INSERT INTO meta (key, value) VALUES ('week', '2026-W49'), ('opened_at', ?)").run(
      String(sunday),
    );
    db.close();
    fixture.setClock(sunday);
    const first = await fixture.open();
    fixture.seed(first.parts, USERS, 3 * USD);
    first.segments.close();
    fixture.setClock(Date.parse('2026-12-07T00:00:05Z'));
    const monday = await fixture.open();
    expect(monday.segments.current().name).toBe('2026-W49');
    await fixture.rollOver(monday.segments);
    expect(monday.segments.current().name).toBe('2026-W50');
    expect(monday.parts().ledger.balanceOf(USERS[0]!)).toBe(2 * USD);
    expect(fixture.problems()).toEqual([]);
  });

  it('refuses a data directory written with another SEGMENT_PERIOD', async () => {
    fixture = rolloverFixture();
    (await fixture.open()).segments.close();
    const opening = openWriterSegments({
      ...{ dataDir: fixture.dataDir, scheme: isoWeekScheme, synchronous: 'FULL' },
      clock: () => START_MS,
      failPoint: () => {},
      log: createLogger('batcher', 'silent'),
    });
    await expect(opening).rejects.toThrow('a data directory keeps one period setting');
  });
});
