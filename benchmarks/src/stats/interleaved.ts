/**
 * Interleaved conditions inside one open-loop run (bet-under-abuse): the run is cut into blocks of
 * whole seconds after its warm-up, each block under one condition (e.g. baseline, attack, baseline,
 * other attack, …), and a condition's latency is the pool of its blocks' seconds. Because the
 * conditions alternate every few seconds, a slow or fast period of the shared host falls on all of
 * them alike — a paired comparison, where separate runs minutes apart compared one period's
 * baseline with another period's attack (their baselines alone spread 8.8–13 ms p99).
 *
 * The first `settleS` seconds of every block are left out of every statistic: the previous
 * condition's tail (a history page still being written, hostile sockets closing) and the new side
 * load's start-up (its thread spawning) would otherwise be charged to the wrong condition.
 */
import { encodeHistogram, type LatencySummary, mergeEncoded, summarize } from './histogram.js';

export interface Block<C extends string> {
  /** 0-based position in the run. */
  index: number;
  condition: C;
  /** Seconds since the schedule's start: the block is [startS, endS), measured from measuredFromS. */
  startS: number;
  measuredFromS: number;
  endS: number;
}

/** The blocks of one run: `sequence` repeated `repeats` times after `warmupS`. */
export function blockSchedule<C extends string>(options: {
  sequence: readonly C[];
  repeats: number;
  warmupS: number;
  blockS: number;
  settleS: number;
}): Block<C>[] {
  const { sequence, repeats, warmupS, blockS, settleS } = options;
  if (!Number.isInteger(blockS) || !Number.isInteger(warmupS) || settleS >= blockS)
    throw new Error('blocks are whole seconds, longer than their settling time');
  const conditions = Array.from({ length: repeats }, () => sequence).flat();
  return conditions.map((condition, index) => {
    const startS = warmupS + index * blockS;
    return { index, condition, startS, measuredFromS: startS + settleS, endS: startS + blockS };
  });
}

/** The run's length for `blocks` (the schedule's duration). */
export function scheduleSeconds(blocks: readonly Block<string>[]): number {
  return Math.max(0, ...blocks.map((b) => b.endS));
}

/** One block's measured seconds merged into one encoded histogram ('' when none was recorded). */
export function blockHistogram(seconds: readonly string[], block: Block<string>): string {
  const present = seconds.slice(block.measuredFromS, block.endS).filter(Boolean);
  return present.length ? encodeHistogram(mergeEncoded(present)) : '';
}

/** The summary of several blocks' encoded histograms pooled, or null when they hold nothing. */
export function pooled(encoded: readonly string[]): LatencySummary | null {
  const present = encoded.filter(Boolean);
  if (!present.length) return null;
  const summary = summarize(mergeEncoded(present));
  return summary.count > 0 ? summary : null;
}
