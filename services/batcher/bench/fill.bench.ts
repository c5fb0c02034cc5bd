/**
 * One print's fills, in process (no Redis): N next-tick bets from 1,000 funded wallets on the load
 * test's 27 cells are held, then the batch that brings their print fills them all — the batch whose
 * length every one of those bets' `accepted` waits for (SPEC §12 with the defence on: fill print →
 * accepted) — with `waiting` more held bets it does not fill yet (received after it). Beside it, the same N bets priced at receipt in one batch (the same rows, no pricing
 * and no hold). Real batch applier, fresh segment (WAL, synchronous=FULL). Prints JSON per round.
 *   npx tsx bench/fill.bench.ts [bets=300] [rounds=5] [waiting=500]
 */
import { encodeEntry } from '@tap/channels';
import type { BetEntry, PrintEntry } from '@tap/domain';
import { aBet, aPrint } from '@tap/testkit/standalone';
import { createBatchApplier, type StreamEntry } from '../src/apply/apply-batch.js';
import { openTestSegment } from '../src/storage/test-segment.js';

const betsPerPrint = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 5);
/** Held bets that this print does not fill (received after it: they wait for a later one). */
const waiting = Number(process.argv[4] ?? 500);
const users = Array.from({ length: 1_000 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`);
const STEP_MS = 5_000;

function run(round: number) {
  const s = openTestSegment();
  s.tx(() => {
    for (const user of users) s.ledger.credit(user, 1_000_000_000_000, 'deposit', `d-${user}`, Date.now());
  });
  const applier = createBatchApplier(s.db, { ...s, operatorKeyHex: s.operatorKeyHex });
  const placedAt = 1_764_100_000_000 + round * 60_000;
  const firstT0 = Math.ceil((placedAt + 4_000) / STEP_MS) * STEP_MS;
  const bets = (nextTick: boolean, count = betsPerPrint, receivedAt = placedAt): StreamEntry[] =>
    Array.from({ length: count }, (_, i) => {
      const cell = i % 27;
      const bet: BetEntry = aBet({
        userId: users[i % users.length]!,
        placedAt: receivedAt + (i % 90),
        t0: firstT0 + Math.floor(cell / 9) * STEP_MS,
        p0: 9_500_000 + ((cell % 9) - 4) * 1_000,
        multiplierBp: nextTick ? 500_000 : 20_000,
        ...(nextTick ? { nextPrint: { minMultiplierBp: 10_500 } } : {}),
      });
      return {
        kind: 'bets',
        stream: 'tap:bets',
        id: `${bet.placedAt}-${i}`,
        fields: encodeEntry('bets', bet),
      };
    });
  const printEntry = (print: PrintEntry): StreamEntry => ({
    kind: 'prices',
    stream: 'tap:prices',
    id: `${print.t}-0`,
    fields: encodeEntry('prices', print),
  });
  const timed = (entries: StreamEntry[], nowMs: number) => {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const result = applier.apply(entries, nowMs, null);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const used = process.cpuUsage(cpu);
    s.outbox.markPublished(result.outbox);
    return { ms, cpuMs: (used.user + used.system) / 1_000, result };
  };
  timed(
    [printEntry(aPrint({ id: placedAt - 50, t: placedAt - 50, priceCents: 9_500_300, noise: 6e-5 }))],
    placedAt,
  );
  const held = timed([...bets(true), ...bets(true, waiting, placedAt + 160)], placedAt + 260);
  const fillPrint = aPrint({ id: placedAt + 150, t: placedAt + 150, priceCents: 9_500_400, noise: 6e-5 });
  const fill = timed([...held.result.held, printEntry(fillPrint)], placedAt + 270);
  const filled = fill.result.results.filter((r) => r.kind === 'bets' && r.outcome === 'applied').length;
  const receipt = timed(bets(false), placedAt + 200);
  s.close();
  return {
    bets: betsPerPrint,
    holdBatchMs: held.ms,
    fillBatchMs: fill.ms,
    fillBatchCpuMs: fill.cpuMs,
    filled,

    receiptBatchMs: receipt.ms,
    receiptBatchCpuMs: receipt.cpuMs,
  };
}

for (let round = 0; round < rounds; round++) console.log(JSON.stringify(run(round)));
