/**
 * Ledger anchoring (issue 18): the ledger's hash chain proves that no row was edited in place, but
 * not that the whole chain was not rewritten consistently — its head lives in the file it protects.
 * So every ANCHOR_INTERVAL_MS the batcher appends the committed head (segment, row count, hash, time)
 * to an append-only JSON-lines file outside the segment; integrity-cron checks that each anchored
 * head is still in the chain. Deploy it with `chattr +a` (systemd/README.md) so not even the batcher's
 * user can rewrite earlier lines. A line is written only when the head moved since the last one
 * (an idle ledger adds nothing), and is fsynced before the next.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { LedgerAnchor } from '@tap/domain';
import type { ChainHead } from './ledger-writer.js';

/** The line's shape is @tap/domain's (integrity-cron, the archiver and restore read it there). */
export type Anchor = LedgerAnchor;

/**
 * `current()`: the current segment's name and the committed ledger head it wrote itself (both change
 * at a roll-over; undefined until the new segment's first row — its inherited head is the previous
 * segment's row).
 */
export function createAnchorWriter(
  path: string,
  current: () => { segment: string; head: ChainHead | undefined },
) {
  let last: { segment: string; rows: number } | undefined;
  return {
    /** Appends the head if it moved; returns the anchor written, if any. */
    anchor(nowMs: number): Anchor | undefined {
      const { segment, head } = current();
      if (head === undefined) return undefined;
      const now = { segment, rows: head.id };
      if (now.rows === 0 || (last?.segment === now.segment && last.rows === now.rows)) return undefined;
      const anchor: Anchor = { ...now, hash: head.hash, at: nowMs };
      const fd = openSync(path, 'a', 0o640);
      try {
        writeSync(fd, `${JSON.stringify(anchor)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      last = now;
      return anchor;
    },
  };
}
