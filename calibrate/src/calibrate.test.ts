/**
 * The calibration smoke (CI): a short simulated feed through the whole tool — price-ingest's
 * simulator on a simulated clock, quoteCell, the resolver's settlement, the report — plus the two
 * recorded sources (a JSONL file and a segment's index_prints) giving the same prints back. Bounded:
 * 40 simulated minutes, a few seconds of CPU. The full runs are in CALIBRATION.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, OUTCOME_VOID, runCalibration } from '@tap/calibration';
import { migrate, SEGMENT_MIGRATIONS } from '@tap/domain';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrate } from './calibrate-command.js';
import { renderCalibrationSvg } from './calibration-svg.js';
import {
  fileOfPrints,
  printsToJsonl,
  segmentPrints,
  simulatedPrints,
  writeSegmentPrints,
} from './print-sources.js';

const dir = mkdtempSync(join(tmpdir(), 'calibrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SIM = { seed: 3, durationS: 2_400, noiseScale: 1, volAnnual: 0.6, outageMeanIntervalMs: 120_000 };
/** `calibrate run --source sim --hours 0.3 …` into the temporary directory: a few seconds of CPU. */
const SHORT_RUN = {
  source: 'sim',
  hours: 0.3,
  noiseScale: 1,
  vol: 0.6,
  outageMeanMs: 120_000,
  everyMs: 10_000,
  bands: 4,
  warmupS: 300,
  outDir: dir,
} as const;

describe('calibrate', () => {
  const { prints } = simulatedPrints(SIM);

  it('simulates price-ingest prints faster than real time, with σ and η on each', () => {
    expect(prints.length).toBeGreaterThan(20_000);
    const last = prints.at(-1)!;
    expect(last.sigma).toBeGreaterThan(0);
    expect(last.noise).toBeGreaterThan(0);
    for (let i = 1; i < prints.length; i++) expect(prints[i]!.t).toBeGreaterThan(prints[i - 1]!.t);
  });

  it('prices and settles a dense grid, and reports buckets with window-resampled errors', () => {
    const run = runCalibration(prints, { decisionEveryMs: 5_000, bandsEachSide: 10, warmupMs: 600_000 });
    expect(run.decisions.count).toBeGreaterThan(50_000);
    expect(run.decisions.outcome.filter((o) => o === OUTCOME_VOID).length).toBeLessThan(
      run.decisions.count / 4,
    );
    const report = buildReport(run, 0.05);
    expect(report.windows).toBeGreaterThan(300);
    for (const bucket of report.buckets.filter((b) => b.bets >= 2_000)) {
      expect(bucket.hitSe).toBeGreaterThan(0);
      // Calibrated on this feed: no bucket far off (the full runs check 3 SE over millions).
      expect(Math.abs(bucket.z), bucket.label).toBeLessThan(5);
    }
    expect(renderCalibrationSvg(report, 'smoke')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  });

  it("shows the fastest venue's quotes as a co-located trader sees them: near the true price, never from the future", () => {
    const { venueAt, trueLogCentsAt } = simulatedPrints({ ...SIM, durationS: 600 });
    const start = prints[0]!.t;
    let squares = 0;
    let n = 0;
    for (let t = start + 60_000; t < start + 590_000; t += 1_000) {
      const quote = venueAt(t);
      expect(quote.t).toBeLessThanOrEqual(t);
      expect(quote.noise).toBe(0.5e-4);
      squares += (quote.logCents - trueLogCentsAt(quote.t)) ** 2;
      n += 1;
    }
    // sim-a's mid sits 0.5 bp from the true price (its noise), plus rounding and outages.
    expect(Math.sqrt(squares / n)).toBeLessThan(1.5e-4);
  });

  it('values cells for informed traders at a k-print fill', () => {
    const report = calibrate({
      ...SHORT_RUN,
      seed: 5,
      name: 'smoke-informed',
      informedLeadsMs: [0, 150],
      fillPrints: 3,
    });
    const informed = report.informed ?? [];
    expect(informed.map((s) => [s.strategy, s.sees, s.leadMs])).toEqual([
      ['random', null, null],
      ['random_near', null, null],
      ...['truth', 'venue'].flatMap((sees) =>
        [0, 150].flatMap((lead) => [
          ['all_positive', sees, lead],
          ['best_cell', sees, lead],
        ]),
      ),
    ]);
    const random = informed[0]!;
    expect(random.bets).toBeGreaterThan(1_000);
    expect(Number.isFinite(random.meanReturn) && random.returnSe > 0).toBe(true);
  });

  it('reads the same prints back from a JSONL file and from a segment', () => {
    const head = prints.slice(0, 500);
    const file = join(dir, 'prints.jsonl');
    writeFileSync(file, printsToJsonl(head));
    expect(fileOfPrints(file).map((p) => p.priceCents)).toEqual(head.map((p) => p.priceCents));
    const dbPath = join(dir, 'segment.db');
    const db = new Database(dbPath);
    migrate(db, SEGMENT_MIGRATIONS);
    const insert = db.prepare(
      'INSERT INTO index_prints (id, t, price_cents, venues, sigma) VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const p of head) insert.run(p.id, p.t, p.priceCents, p.venues, p.sigma);
    })();
    db.close();
    const fromSegment = segmentPrints(dbPath);
    expect(fromSegment.map((p) => [p.t, p.priceCents])).toEqual(head.map((p) => [p.t, p.priceCents]));
    // σ and η come from the same estimator run over the same prices.
    expect(fromSegment.at(-1)!.noise).toBe(fileOfPrints(file).at(-1)!.noise);
  });

  it('stores prints as a segment with the batcher rows, replayed like any segment, never overwritten', () => {
    const head = prints.slice(0, 2_000);
    const path = join(dir, 'stored.db');
    writeSegmentPrints(path, head);
    const replayed = segmentPrints(path);
    expect(replayed.map((p) => [p.id, p.t, p.priceCents, p.venues, p.simulated])).toEqual(
      head.map((p) => [p.id, p.t, p.priceCents, p.venues, p.simulated]),
    );
    // σ and η recomputed by the estimator from the stored prices: those price-ingest printed.
    expect(replayed.at(-1)!.noise).toBe(head.at(-1)!.noise);
    expect(() => writeSegmentPrints(path, head)).toThrow(/exists/);
  });

  it('refuses a malformed line of a prints file, naming it', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${printsToJsonl(prints.slice(0, 2))}{"id":1}\n`);
    expect(() => fileOfPrints(file)).toThrow(/bad\.jsonl:3: not a print/);
  });

  it('writes the report as JSON and SVG and says whether it passes', () => {
    const report = calibrate({ ...SHORT_RUN, seed: 4, name: 'smoke' });
    expect(report.decisions).toBeGreaterThan(1_000);
    expect(typeof report.checks.pass).toBe('boolean');
  });
});
