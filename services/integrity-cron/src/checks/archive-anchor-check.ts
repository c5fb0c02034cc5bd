/**
 * The ledger heads held in the S3 archive manifest (issue 18) against the local segments: the
 * anchors the archiver copied there every hour, and the closing head of every archived segment. S3
 * is out of the batcher's and the data directory's reach, so a history rewritten consistently AND
 * with the local anchors file rewritten to match is still named here. Heads of segments no longer
 * local are skipped and counted (restore checks them when it brings a segment back).
 */
import { createS3, readManifest, type S3Settings } from '@tap/archive';
import { type AnchorCheck, checkAnchorsAgainst, type LedgerAnchor } from '@tap/domain';

export async function checkArchiveAnchors(
  settings: S3Settings,
  dataDir: string,
  signal: AbortSignal,
): Promise<AnchorCheck & { closingHeads: number }> {
  const s3 = createS3(settings);
  try {
    const manifest = await readManifest({
      s3,
      bucket: settings.S3_BUCKET,
      retry: {
        attempts: settings.S3_RETRY_ATTEMPTS,
        baseDelayMs: settings.S3_RETRY_BASE_MS,
        maxDelayMs: 15_000,
      },
      signal,
    });
    const closingHeads: LedgerAnchor[] = Object.values(manifest.segments)
      .filter((entry) => entry.ledgerHead.id > 0)
      .map((entry) => ({
        segment: entry.segment,
        rows: entry.ledgerHead.id,
        hash: entry.ledgerHead.hash,
        at: entry.archivedAtMs,
      }));
    const report = checkAnchorsAgainst(dataDir, [...manifest.anchors, ...closingHeads]);
    return { ...report, closingHeads: closingHeads.length };
  } finally {
    s3.destroy();
  }
}
