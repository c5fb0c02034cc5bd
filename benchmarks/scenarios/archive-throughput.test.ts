import { describe, expect, it } from 'vitest';
import { type Job, type JobMode, type Measured, planOf, report } from './archive-throughput.js';

const MB = 1_048_576;

/** A job that read 1,000 MB and wrote 250 MB in 10 s, peaking at 150 MB. */
function aJob(mode: JobMode, overrides: Partial<Job> = {}): Job {
  return {
    mode,
    code: 0,
    seconds: 10,
    peakRssBytes: 150 * MB,
    plainBytes: 1_000 * MB,
    compressedBytes: 250 * MB,
    ...overrides,
  };
}

const measured = (jobs: Job[]): Measured => ({ segmentBytes: 1_000 * MB, jobs });

describe('archive-throughput report', () => {
  it('builds a 1 GB segment, 64 MB with --quick', () => {
    expect(planOf({})).toEqual({ targetMb: 1_024 });
    expect(planOf({ quick: true })).toEqual({ targetMb: 64 });
  });

  it('reports MB/s in and out, the ratio and the peak RSS of each job', () => {
    const outcome = report(measured([aJob('archive'), aJob('backup', { seconds: 20 })]));
    expect(outcome.ok).toBe(true);
    expect(outcome.tables[0]!.rows).toEqual([
      ['archive', 1_000, 250, 4, 10, 100, 25, 150],
      ['backup', 1_000, 250, 4, 20, 50, 13, 150],
    ]);
    expect(outcome.headline).toEqual({
      archiveMBps: 100,
      archivePeakRssMB: 150,
      archiveRatio: 4,
      backupMBps: 50,
      backupPeakRssMB: 150,
      backupRatio: 4,
    });
  });

  it('fails a job that exited non-zero or held more than half the segment in memory', () => {
    const outcome = report(
      measured([aJob('archive', { code: 1 }), aJob('backup', { peakRssBytes: 600 * MB })]),
    );
    expect(outcome.failures).toEqual(['archive exited 1', 'backup: peak RSS 600 MB for a 1000 MB segment']);
    expect(outcome.tables[0]!.rows).toHaveLength(1);
  });
});
