/**
 * The report of a run, atomically (temp file + rename) at REPORT_FILE: the range and settings it
 * covered and `bench calibrate`'s report (`CalibrationReport` of @tap/calibration: per P bucket, per
 * distance band and per horizon the bets, hit rate against prediction, promised and realised edge
 * with standard errors, and `checks`), so the numbers behind an alert can be read and compared with
 * docs/pricing.md.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { CalibrationReport } from '@tap/calibration';
import type { Config } from './config.js';

export async function writeFairnessReport(
  path: string,
  body: { fromMs: number; toMs: number; prints: number; config: Config; report: CalibrationReport },
): Promise<void> {
  const { HOURS, WARMUP_MIN, DECISION_EVERY_MS, BANDS_EACH_SIDE } = body.config;
  const document = {
    version: 1,
    service: 'fairness-report',
    generatedAt: new Date().toISOString(),
    from: new Date(body.fromMs).toISOString(),
    to: new Date(body.toMs).toISOString(),
    prints: body.prints,
    settings: { HOURS, WARMUP_MIN, DECISION_EVERY_MS, BANDS_EACH_SIDE },
    report: body.report,
  };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o640 });
  await rename(temp, path);
}
