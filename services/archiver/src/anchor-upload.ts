/**
 * Both jobs end by copying the batcher's ledger anchors into the S3 manifest (issue 18;
 * `mergeAnchors` of @tap/archive): the newest anchor of each segment not yet there. A local file
 * that disagrees with an anchor S3 already holds fails the run (the history or the file was
 * rewritten). No anchors file yet is fine — the batcher writes the first with its first ledger row;
 * integrity-cron is what fails a ledger without one.
 */
import { mergeAnchors, type TransferContext, updateManifest } from '@tap/archive';
import { readAnchorsFile } from '@tap/domain';
import type { Logger } from '@tap/runtime';

export async function uploadAnchors(options: {
  ctx: TransferContext;
  dataDir: string;
  anchorsFile: string;
  log: Logger;
}): Promise<number> {
  const file = readAnchorsFile(options.anchorsFile);
  if (file === undefined) {
    options.log.info({ anchorsFile: options.anchorsFile }, 'anchors.none_yet');
    return 0;
  }
  if (file.problems.length > 0) throw new Error(`${options.anchorsFile}: ${file.problems.join('; ')}`);
  const { result, manifest } = await updateManifest(options.ctx, options.dataDir, (current) =>
    mergeAnchors(current, file.anchors),
  );
  if (result.problems.length > 0) throw new Error(`ledger anchors: ${result.problems.join('; ')}`);
  options.log.info(
    { added: result.added.map((a) => `${a.segment}/${a.rows}`), held: manifest.anchors.length },
    'anchors.uploaded',
  );
  return result.added.length;
}
