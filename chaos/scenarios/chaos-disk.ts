/**
 * chaos-disk (issue 20): the batcher's disk fills up under load, repeatedly. The whole stack runs
 * on a small tmpfs data directory in a namespace of its own (src/disk-full.ts); each
 * injection fills it to ~0 bytes free, holds it full, then frees it. The batcher must fail with a
 * clear error and a metric, corrupt nothing, and resume by itself; ingest-api keeps admitting until
 * the batcher's heartbeat is older than its bound, then answers `503 batcher_behind` (runbook:
 * TapBatcherStorageFailing); afterwards the full audit, read from a copy of the segments.
 *
 * Size: one segment holds the whole run (SEGMENT_PERIOD stays iso-week, so no roll-over happens —
 * a roll-over on a full disk exits the batcher by design and is the crash tests' path, not this
 * phase's); the tmpfs leaves room for the run's segment and its WAL several times over, and the
 * filler takes the rest, so every injection fills it whatever the segment has grown to.
 */

import {
  emptyOutcome,
  fail,
  type Scenario,
  type ScenarioContext,
  type ScenarioOutcome,
} from '@tap/benchmarks/scenario';
import {
  type FaultRow,
  faultTable,
  headlineOf,
  openChaosStack,
  restartNote,
  runPhase,
} from '../src/chaos-run.js';
import { type DiskInjections, fillDiskRepeatedly, openSmallDisk, type SmallDisk } from '../src/disk-full.js';

export interface DiskShape {
  injections: number;
  /** How long each fill is held: longer than BATCHER_HEARTBEAT_AGE_MS_MAX (5 s), so admission refuses. */
  holdMs: number;
  ratePerS: number;
  phaseMs: number;
  sizeMb: number;
}

export const DISK_FULL: DiskShape = {
  injections: 4,
  holdMs: 8_000,
  ratePerS: 200,
  phaseMs: 75_000,
  sizeMb: 128,
};
export const DISK_QUICK: DiskShape = {
  injections: 3,
  holdMs: 6_000,
  ratePerS: 100,
  phaseMs: 45_000,
  sizeMb: 128,
};

export const chaosDisk: Scenario = {
  name: 'chaos-disk',
  title: 'Chaos: the batcher’s disk full under load, filled and freed repeatedly',
  description:
    `The whole stack with 100 wallets at ${DISK_FULL.ratePerS} bets/s, its data directory a ${DISK_FULL.sizeMb} MB tmpfs in a ` +
    'user + mount namespace of its own (every daemon runs in it); ' +
    `${DISK_FULL.injections} times a filler file takes every free byte, is held ${DISK_FULL.holdMs / 1000} s, then deleted; ` +
    'the audit after the phase reads a copy of the segments. Recovery: filler deleted → every daemon healthy and the ' +
    `batcher's heartbeat written again. --quick: ${DISK_QUICK.injections} fills held ${DISK_QUICK.holdMs / 1000} s at ` +
    `${DISK_QUICK.ratePerS} bets/s.`,
  async run(ctx) {
    const shape = ctx.options.quick ? DISK_QUICK : DISK_FULL;
    const outcome = emptyOutcome();
    const { row, notes } = await runDiskPhase(ctx, shape, outcome);
    outcome.tables.push(faultTable('Disk full under the batcher', [row], notes));
    outcome.headline = headlineOf([row]);
    return outcome;
  },
};

/**
 * The disk-full phase on a chaos stack of its own, opened on a small disk (chaos-disk, chaos-ci:
 * other phases read the stack's SQLite in place, which a stack in the namespace does not allow).
 */
export async function runDiskPhase(
  ctx: ScenarioContext,
  shape: DiskShape,
  outcome: ScenarioOutcome,
): Promise<{ row: FaultRow; notes: string[] }> {
  const disk = await openSmallDisk(shape.sizeMb);
  try {
    const chaos = await openChaosStack(ctx, [], disk);
    try {
      if (outcome.notes.length === 0) outcome.notes.push(...chaos.bets.notes);
      const { stack } = chaos.bets;
      let injected: DiskInjections | undefined;
      const row = await runPhase(
        ctx,
        chaos,
        {
          fault: `disk full under the batcher (${disk.sizeMb} MB tmpfs filled to 0 B free, held ${shape.holdMs / 1000} s)`,
          ratePerS: shape.ratePerS,
          durationMs: shape.phaseMs,
        },
        async (untilMs) => {
          injected = await fillDiskRepeatedly(
            stack,
            disk,
            { count: shape.injections, holdMs: shape.holdMs },
            untilMs,
          );
          return injected;
        },
        outcome,
      );
      judge(injected!, shape, outcome);
      return { row, notes: [...restartNote(chaos.supervisor.restarts()), ...diskNotes(injected!, disk)] };
    } finally {
      await chaos.close();
    }
  } finally {
    await disk.close();
  }
}

function judge(injected: DiskInjections, shape: DiskShape, outcome: ScenarioOutcome): void {
  if (injected.injections < shape.injections)
    fail(outcome, `disk full: ${injected.injections} of ${shape.injections} injections fitted in the phase`);
  if (injected.detectMs.includes(null))
    fail(outcome, 'disk full: a full disk did not make any batcher write fail within 30 s');
  if (injected.failingAtEnd !== 0)
    fail(
      outcome,
      `disk full: tap_batcher_storage_failing is ${injected.failingAtEnd} after the space returned`,
    );
}

function diskNotes(injected: DiskInjections, disk: SmallDisk): string[] {
  return [
    `Fill → the batcher's first failed write, per injection (ms): ${injected.detectMs.join(', ')}. Its failed attempts by code (tap_batcher_storage_failures_total): ${JSON.stringify(injected.failures)}; tap_batcher_storage_failing after the last recovery: ${injected.failingAtEnd}.`,
    "Recovery: filler deleted → every daemon healthy and the batcher's heartbeat written again (it stops while batches fail, so ingest-api refuses bets 503 batcher_behind once it is older than BATCHER_HEARTBEAT_AGE_MS_MAX = 5 s).",
    `Data directory at the end: ${disk.usedMb()} MB of the ${disk.sizeMb} MB tmpfs (one segment: no roll-over in a run). The audit reads a copy of the segments taken with the batcher stopped (SIGSTOP): SQLite cannot open files through /proc/<pid>/root.`,
  ];
}
