/**
 * The report of a run, atomically (temp file + rename) at REPORT_FILE: the range and settings it
 * covered and `calibrate run`'s report (`CalibrationReport` of @tap/calibration: per P bucket, per
 * distance band and per horizon the bets, hit rate against prediction, promised and realised edge
 * with standard errors, and `checks`), so the numbers behind an alert can be read and compared with
 * docs/pricing.md; and the per-wallet edge judgement (issue 22) with every flagged wallet.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { CalibrationReport, StoredEdgeJudgement } from '@tap/calibration';
import type { Config } from './config.js';

export async function writeFairnessReport(
  path: string,
  body: {
    fromMs: number;
    toMs: number;
    prints: number;
    config: Config;
    report: CalibrationReport;
    walletEdges: StoredEdgeJudgement;
  },
): Promise<void> {
  const { HOURS, WARMUP_MIN, DECISION_EVERY_MS, BANDS_EACH_SIDE, EDGE_BETS_MIN, EDGE_Z_MIN, EDGE_HOURS } =
    body.config;
  const { fromMs, toMs, ...walletEdges } = body.walletEdges;
  const document = {
    version: 1,
    service: 'fairness-report',
    generatedAt: new Date().toISOString(),
    from: new Date(body.fromMs).toISOString(),
    to: new Date(body.toMs).toISOString(),
    prints: body.prints,
    settings: {
      HOURS,
      WARMUP_MIN,
      DECISION_EVERY_MS,
      BANDS_EACH_SIDE,
      EDGE_BETS_MIN,
      EDGE_Z_MIN,
      EDGE_HOURS,
    },
    report: body.report,
    // Every flagged wallet (the metrics carry only the largest), over the settled bets of the range.
    walletEdges: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), ...walletEdges },
  };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o640 });
  await rename(temp, path);
}
