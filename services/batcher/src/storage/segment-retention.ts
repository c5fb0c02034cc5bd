/**
 * Local segment retention (SPEC §8: the last 4 closed segments stay local, older ones live only in
 * S3), done by the batcher because it is the only user that can write `segments/` (issue 16). The
 * archiver, which runs as another user with `segments/` read-only, only records what it uploaded
 * and read back in its manifest; its local copy (`DATA_DIR/archive/manifest.json`) is what this
 * reads.
 *
 * A closed segment older than the newest `keptLocal` closed ones is deleted (with its `-wal`,
 * `-shm`) only if the manifest lists it and the local file is the one archived: its size and sha256
 * equal the manifest's `plain` digest (a closed segment is never written again, so they stay equal),
 * and its ledger head (newest row's id and hash) equals the manifest's. A segment marked `archived`
 * in its own meta by an archiver before issue 16 changed after its upload (that mark), so only its
 * ledger head is compared. Not in the manifest: kept, not
 * an error (the weekly archive has not reached it). In the manifest but different: kept, logged
 * `segments.retention_refused` and counted — a file edited after its archive, or a forged manifest
 * copy, deletes nothing. The current, `closing` and `opening` segments are never candidates.
 *
 * A refusal is remembered per segment (`RefusalMemo`) with the file's size and mtime and the
 * manifest entry it was compared with: the next passes report it again (log, metric) without
 * re-hashing the file — a refused week is GBs, read in the batcher's process every interval for
 * an answer that cannot change while neither side does. A new size or mtime, or a new manifest
 * entry, and the file is compared again. The memo can only keep a file, never delete one.
 *
 * Each pass also seals a closed segment that lacks its empty `-wal`/`-shm` (`sealSegmentFiles`;
 * one closed before issue 16, or whose files were removed by hand): the readers, which cannot
 * write `segments/`, could not open it otherwise.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { type ManifestEntry, readLocalManifest } from '@tap/archive/manifest-schema';
import {
  listSegments,
  openSegmentReadOnly,
  proveSegment,
  readSegmentState,
  type SegmentFile,
  sealSegmentFiles,
} from '@tap/domain';
import type { Logger } from '@tap/runtime';

export interface RetentionOptions {
  dataDir: string;
  keptLocal: number;
  log: Logger;
  /** Refusals from earlier passes (kept across passes by `startSegmentRetention`); default: none. */
  refusals?: RefusalMemo;
}

/** Per segment name: what the refusal was decided on (`refusalFingerprint`) and why. */
export type RefusalMemo = Map<string, { fingerprint: string; reason: string }>;

export interface RetentionResult {
  deleted: string[];
  refused: { segment: string; reason: string }[];
}

export async function pruneArchivedSegments(options: RetentionOptions): Promise<RetentionResult> {
  const result: RetentionResult = { deleted: [], refused: [] };
  const closed = listSegments(options.dataDir)
    .map((file) => ({ ...file, state: stateOf(file) }))
    .filter((s) => s.state === 'closed' || s.state === 'archived');
  for (const segment of closed) {
    if (!existsSync(`${segment.path}-wal`) || !existsSync(`${segment.path}-shm`))
      sealSegmentFiles(segment.path);
  }
  const manifest = readLocalManifest(options.dataDir);
  if (!manifest) return result;
  const memo: RefusalMemo = options.refusals ?? new Map();
  const before = new Map(memo);
  memo.clear(); // only this pass's refusals are kept: a deleted or re-archived segment drops out
  for (const segment of closed.slice(0, Math.max(0, closed.length - options.keptLocal))) {
    const entry = manifest.segments[segment.name];
    if (!entry) continue;
    const markedArchived = segment.state === 'archived';
    const fingerprint = await refusalFingerprint(segment.path, entry, markedArchived);
    const known = before.get(segment.name);
    const problem =
      known?.fingerprint === fingerprint
        ? known.reason
        : await differenceFrom(segment.path, entry, markedArchived);
    if (problem) {
      memo.set(segment.name, { fingerprint, reason: problem });
      const remembered = known?.fingerprint === fingerprint;
      options.log.error({ segment: segment.name, reason: problem, remembered }, 'segments.retention_refused');
      result.refused.push({ segment: segment.name, reason: problem });
      continue;
    }
    for (const suffix of ['', '-wal', '-shm', '-journal'])
      await rm(`${segment.path}${suffix}`, { force: true });
    options.log.info({ segment: segment.name, key: entry.key }, 'segments.local_deleted');
    result.deleted.push(segment.name);
  }
  return result;
}

/**
 * Runs the retention at start and every `intervalMs`, one pass at a time. A pass that throws (an
 * unreadable manifest copy) is logged `segments.retention_failed` and retried at the next tick: it
 * deletes nothing, and bets keep flowing.
 */
export function startSegmentRetention(
  options: RetentionOptions & { intervalMs: number; onResult: (result: RetentionResult) => void },
): { stop(): Promise<void> } {
  let busy: Promise<void> | null = null;
  let stopped = false;
  const refusals: RefusalMemo = new Map();
  const tick = () => {
    if (stopped || busy) return;
    busy = pruneArchivedSegments({ ...options, refusals })
      .then(options.onResult, (err: unknown) => options.log.error({ err }, 'segments.retention_failed'))
      .finally(() => {
        busy = null;
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
    },
  };
}

function stateOf(file: SegmentFile): string {
  const db = openSegmentReadOnly(file.path);
  try {
    return readSegmentState(db);
  } finally {
    db.close();
  }
}

/** What a refusal depends on: the local file's size and mtime, its state, the manifest entry. */
async function refusalFingerprint(
  path: string,
  entry: ManifestEntry,
  markedArchived: boolean,
): Promise<string> {
  const { size, mtimeMs } = await stat(path);
  return JSON.stringify([size, mtimeMs, markedArchived, entry.plain, entry.ledgerHead]);
}

/** Why the local file is not the archived one, or null when it is. */
async function differenceFrom(
  path: string,
  entry: ManifestEntry,
  markedArchived: boolean,
): Promise<string | null> {
  if (!markedArchived) {
    const digest = await fileDigest(path);
    if (digest.bytes !== entry.plain.bytes || digest.sha256 !== entry.plain.sha256) {
      return `local file (${digest.bytes} bytes, sha256 ${digest.sha256}) is not the archived one (${entry.plain.bytes} bytes, sha256 ${entry.plain.sha256})`;
    }
  }
  const head = ledgerHeadOf(path);
  if (head.id !== entry.ledgerHead.id || head.hash !== entry.ledgerHead.hash) {
    return `local ledger head ${head.id} differs from the archived one ${entry.ledgerHead.id}`;
  }
  return null;
}

/**
 * The newest ledger row: one indexed lookup, not the whole chain — the archiver proved the chain
 * before uploading these very bytes, and the batcher must not stall its apply loop re-proving a
 * week. An empty ledger's head is its opening's previous head, which the (then small) proof reads.
 */
function ledgerHeadOf(path: string): { id: number; hash: string } {
  const db = openSegmentReadOnly(path);
  try {
    const newest = db.prepare('SELECT id, hash FROM transaction_ledger ORDER BY id DESC LIMIT 1').get() as
      | { id: number; hash: string }
      | undefined;
    return newest ?? proveSegment(db, 'quick_check').head;
  } finally {
    db.close();
  }
}

/** Streamed (a segment can be GBs): read in 64 KiB chunks between the apply loop's turns. */
async function fileDigest(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { bytes: (await stat(path)).size, sha256: hash.digest('hex') };
}
