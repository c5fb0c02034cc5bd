/**
 * The transactional outbox (`event_outbox`, migration 2; docs/bet-path.md): a batch's events and
 * dead letters are added in the batch's transaction and published to Redis after XACK. Rows are
 * deleted in the transaction of the batch after they were published, and whatever is still in the
 * table at start is published again — so a crash between XACK and publishing loses nothing (a
 * reader may see an entry twice; events are keyed by betId + status).
 */
import type Database from 'better-sqlite3';

export type OutboxStream = 'events' | 'deadLetter';

export interface OutboxRow {
  id: number;
  stream: OutboxStream;
  payload: string;
}

export interface Outbox {
  /**
   * In the batch transaction: stores a batch's payloads for one stream as ONE row (a JSON array),
   * so the outbox costs one insert per batch, not one per event.
   */
  addAll(stream: OutboxStream, payloads: readonly string[]): OutboxRow[];
  /** In the batch transaction: drops the rows published so far. */
  deletePublished(): void;
  /** Every row not yet deleted, in publication order (start-up re-publication). */
  unpublished(): OutboxRow[];
  /** After the rows were published; the next batch's transaction deletes them. */
  markPublished(rows: readonly OutboxRow[]): void;
}

/**
 * The batcher publishes a batch's rows before it starts the next batch (and everything left over
 * at start before the first), so every row in the table when a batch begins has been published:
 * deleting them all is exact. The id is a rowid and may be reused once the table is empty.
 */
export function createOutbox(db: Database.Database): Outbox {
  const insert = db.prepare<[string, string]>('INSERT INTO event_outbox (stream, payload) VALUES (?, ?)');
  const removeAll = db.prepare('DELETE FROM event_outbox');
  const all = db.prepare<[], OutboxRow>('SELECT id, stream, payload FROM event_outbox ORDER BY id');
  let publishedSinceDelete = false;
  return {
    addAll(stream, payloads) {
      if (payloads.length === 0) return [];
      // Each payload is JSON text already, so joining them is the array's JSON.
      const id = Number(insert.run(stream, `[${payloads.join(',')}]`).lastInsertRowid);
      return payloads.map((payload) => ({ id, stream, payload }));
    },
    deletePublished() {
      if (!publishedSinceDelete) return;
      removeAll.run();
      publishedSinceDelete = false;
    },
    unpublished: () =>
      all
        .all()
        .flatMap((row) =>
          (JSON.parse(row.payload) as unknown[]).map((entry) => ({ ...row, payload: JSON.stringify(entry) })),
        ),
    markPublished(rows) {
      if (rows.length > 0) publishedSinceDelete = true;
    },
  };
}
