/**
 * The built job over a real segment holding an hour of index prints (a seeded random walk at the
 * print rate, written where the batcher writes them): it writes the report and its metrics; over
 * too few prints it fails instead of reporting a verdict on nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, segmentPath, segmentsDir } from '@tap/domain';
import { createSeededRandom } from '@tap/pricing';
import { startDaemon, writeSegmentFile } from '@tap/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

/** A data dir whose current segment holds `minutes` of prints every 100 ms up to now. */
function dataDirWithPrints(minutes: number, bets: (db: Database.Database) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-fairness-'));
  mkdirSync(segmentsDir(dir));
  const path = segmentPath(dir, isoWeekOf(Date.now()));
  writeSegmentFile(path, { users: 1 });
  const db = new Database(path);
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, 3, 0, 1)',
  );
  const random = createSeededRandom(7);
  const now = Date.now();
  let logPrice = Math.log(9_500_000);
  const stepSigma = 0.6 / Math.sqrt(365 * 24 * 3600 * 10);
  db.transaction(() => {
    for (let i = 0, t = now - minutes * 60_000 + 37; t < now; i += 1, t += 100) {
      // A normal step plus a little print noise, as the venues' medians jitter.
      logPrice += stepSigma * random.normal();
      insert.run(i + 1, t, Math.round(Math.exp(logPrice) + (random.uniform() - 0.5) * 200));
    }
  })();
  bets(db);
  db.close();
  return dir;
}

const INFORMED = `0x${'a'.repeat(40)}`;
const HONEST = `0x${'b'.repeat(40)}`;

/**
 * 400 settled $1 bets at 3× with P 0.3 (each paying 0.9 expected) for each of two wallets, as the
 * batcher stores them: the honest one wins 30 % of them, the informed one 45 % — and one void and
 * one open bet of the informed wallet that must not count.
 */
function settledBets(db: Database.Database): void {
  const insert = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp,
       status, payout, terms, placed_at, settled_at) VALUES (?, ?, ?, ?, 0, 5000, 1000, 1000000, 30000, ?, ?, ?, ?, ?)`,
  );
  const terms = JSON.stringify({ probability: 0.3, g: 0.01, multiplierBp: 30_000 });
  const now = Date.now();
  let id = 0;
  const bet = (user: string, status: string, payout: number, window: number) => {
    id += 1;
    const settledAt = status === 'accepted' ? null : now - 60_000 + id;
    // Each of a wallet's bets on a window of its own: nothing grouped, and 400 bets are 17 two-minute
    // blocks, too few for the measured SE: the model's stands (wallet-edge.ts).
    insert.run(
      `BET${String(id).padStart(23, '0')}`,
      user,
      `c${id}`,
      window * 5_000,
      status,
      payout,
      terms,
      now - 70_000,
      settledAt,
    );
  };
  db.transaction(() => {
    for (let i = 0; i < 400; i += 1) {
      bet(HONEST, i % 10 < 3 ? 'won' : 'lost', i % 10 < 3 ? 3_000_000 : 0, i);
      bet(INFORMED, i % 20 < 9 ? 'won' : 'lost', i % 20 < 9 ? 3_000_000 : 0, i);
    }
    bet(INFORMED, 'void', 0, 400);
    bet(INFORMED, 'accepted', 0, 401);
  })();
}

async function runJob(dataDir: string, env: Record<string, string>) {
  const outDir = mkdtempSync(join(tmpdir(), 'tap-fairness-out-'));
  const job = startDaemon('fairness-report', {
    DATA_DIR: dataDir,
    OPS_PORT: '0',
    TEXTFILE_DIR: outDir,
    REPORT_FILE: join(outDir, 'report.json'),
    ...env,
  });
  const { code } = await job.exited;
  return { code, outDir, output: [...job.lines, ...job.stderr].join('\n') };
}

describe('fairness-report (built job, real segment)', () => {
  it('reports the calibration of the last hour of stored prints with its metrics', async () => {
    const run = await runJob(dataDirWithPrints(70), { HOURS: '1', DECISIONS_MIN: '1000' });
    expect(run.code, run.output).toBe(0);
    const file = JSON.parse(readFileSync(join(run.outDir, 'report.json'), 'utf8'));
    expect(file).toMatchObject({ version: 1, service: 'fairness-report', settings: { HOURS: 1 } });
    expect(file.report.decisions).toBeGreaterThan(1000);
    expect(file.report.distance.length).toBeGreaterThan(0);
    expect(typeof file.report.checks.pass).toBe('boolean');
    const metrics = readFileSync(join(run.outDir, 'fairness-report.prom'), 'utf8');
    // Every series carries the registry's default label service="fairness-report".
    const value = (name: string) => new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1];
    expect(Number(value('tap_fairness_report_last_success_timestamp_seconds'))).toBeGreaterThan(
      Date.now() / 1000 - 300,
    );
    expect(Number(value('tap_fairness_report_checks_passed'))).toBe(file.report.checks.pass ? 1 : 0);
    expect(Number(value('tap_fairness_report_decisions'))).toBe(file.report.decisions);
    expect(metrics).toMatch(/^tap_fairness_report_edge_gap_ratio\{band="[^"]+",[^}]*\} -?\d/m);
  }, 120_000);

  it("judges each wallet's edge over its settled bets: only the informed one is flagged and labelled", async () => {
    const run = await runJob(dataDirWithPrints(70, settledBets), {
      HOURS: '1',
      DECISIONS_MIN: '1000',
      EDGE_BETS_MIN: '300',
    });
    expect(run.code, run.output).toBe(0);
    const file = JSON.parse(readFileSync(join(run.outDir, 'report.json'), 'utf8'));
    // Informed: 180 wins of 400 → +140 $ against a predicted −40 $, SE √(400·9·0.21) = 27.5 $.
    expect(file.walletEdges).toMatchObject({ wallets: 2, judged: 2, bets: 800, unpriced: 0 });
    expect(file.walletEdges.flagged).toEqual([
      expect.objectContaining({ userId: INFORMED, bets: 400, realisedMicros: 140_000_000 }),
    ]);
    expect(file.walletEdges.flagged[0].z).toBeCloseTo(180 / Math.sqrt(400 * 9 * 0.21), 6);
    const metrics = readFileSync(join(run.outDir, 'fairness-report.prom'), 'utf8');
    expect(metrics).toMatch(/^tap_fairness_report_wallets_judged\{[^}]*\} 2$/m);
    expect(metrics).toMatch(/^tap_fairness_report_wallets_flagged\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^tap_fairness_report_settled_bets\{[^}]*\} 800$/m);
    expect(metrics).toMatch(
      new RegExp(`^tap_fairness_report_wallet_edge_z\\{wallet="${INFORMED}",[^}]*\\} 6\\.5`, 'm'),
    );
    expect(metrics).not.toContain(HONEST);
    expect(run.output).toContain('wallet.edge_flagged');
  }, 120_000);

  it('fails, reporting nothing, when the prints are too few to judge', async () => {
    const run = await runJob(dataDirWithPrints(2), { HOURS: '1', DECISIONS_MIN: '20000' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('too little to judge');
    expect(() => readFileSync(join(run.outDir, 'report.json'))).toThrow();
    expect(() => readFileSync(join(run.outDir, 'fairness-report.prom'))).toThrow();
  }, 120_000);

  it('fails with a JSON log line, not a stack trace, when its ops port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const run = await runJob(dataDirWithPrints(70), { HOURS: '1', OPS_PORT: String(port) });
      expect(run.code, run.output).toBe(1);
      const line = run.output.split('\n').find((l) => l.includes('job.ops_listen_failed'));
      expect(JSON.parse(line ?? '{}')).toMatchObject({ msg: 'job.ops_listen_failed', port });
      expect(() => readFileSync(join(run.outDir, 'report.json'))).toThrow();
    } finally {
      holder.close();
    }
  }, 120_000);

  it('fails naming the path when there is no segment', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tap-fairness-empty-'));
    const run = await runJob(empty, {});
    expect(run.code).toBe(1);
    expect(run.output).toContain(empty);
  }, 60_000);
});
