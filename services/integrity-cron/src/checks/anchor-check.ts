/**
 * Anchored heads (issue 18; the anchors themselves: `ledger-anchors.ts` of @tap/domain). Every head
 * the batcher anchored in its append-only file must still be in its segment's chain, so a history
 * rewritten consistently — every hash recomputed, which the chain check alone accepts — is named, as
 * is a truncated one. Anchors of segments no longer local are skipped and counted; a missing anchors
 * file is a problem (the batcher writes one from its first ledger row), except when no segment has
 * any ledger row yet. The copy in the S3 manifest is checked the same way (archive-anchor-check.ts).
 */
import { type AnchorCheck, checkAnchorsAgainst, readAnchorsFile } from '@tap/domain';

export function checkAnchors(dataDir: string, anchorsPath: string, ledgerRowsTotal: number): AnchorCheck {
  const file = readAnchorsFile(anchorsPath);
  if (file === undefined) {
    const problems = ledgerRowsTotal > 0 ? [`anchors file ${anchorsPath} is missing`] : [];
    return { anchors: 0, checked: 0, skippedNotLocal: 0, problems };
  }
  const report = checkAnchorsAgainst(dataDir, file.anchors);
  return { ...report, problems: [...file.problems, ...report.problems] };
}
