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
  /** In the batch transaction: drops the rows marked published so far (and only those). */
  deletePublished(): void;
  /** Every row not yet deleted, in publication order (start-up re-publication). */
  unpublished(): OutboxRow[];
  /** After the rows were published; the next batch's transaction deletes them. */
  markPublished(rows: readonly OutboxRow[]): void;
}

/**
 * A batch's publication may still be in flight while the next batch is applied (batch-cycle.ts), so
 * a batch deletes exactly the rows whose publication Redis confirmed — never "everything in the
 * table". Publications are confirmed in id order (each waits for the one before), so that is every
 * row up to the highest confirmed id. Ids are assigned here, increasing for the life of this
 * writer: SQLite's own rowid restarts at 1 once the table is empty, which would put a new row under
 * the mark. A delete that rolls back with its transaction is simply repeated by the next batch.
 */
export function createOutbox(db: Database.Database): Outbox {
  const insert = db.prepare<[number, string, string]>(
    'INSERT INTO event_outbox (id, stream, payload) VALUES (?, ?, ?)',
  );
  const removeUpTo = db.prepare<[number]>('DELETE FROM event_outbox WHERE id <= ?');
  const all = db.prepare<[], OutboxRow>('SELECT id, stream, payload FROM event_outbox ORDER BY id');
  const highest = db.prepare<[], number | null>('SELECT MAX(id) FROM event_outbox').pluck();
  let lastId = highest.get() ?? 0;
  let publishedUpTo = 0;
  return {
    addAll(stream, payloads) {
      if (payloads.length === 0) return [];
      // Each payload is JSON text already, so joining them is the array's JSON.
      const id = ++lastId;
      insert.run(id, stream, `[${payloads.join(',')}]`);
      return payloads.map((payload) => ({ id, stream, payload }));
    },
    // One index seek a batch on a table of a few rows; repeated harmlessly when nothing is new.
    deletePublished() {
      if (publishedUpTo > 0) removeUpTo.run(publishedUpTo);
    },
    unpublished: () =>
      all
        .all()
        .flatMap((row) =>
          (JSON.parse(row.payload) as unknown[]).map((entry) => ({ ...row, payload: JSON.stringify(entry) })),
        ),
    markPublished(rows) {
      for (const row of rows) publishedUpTo = Math.max(publishedUpTo, row.id);
    },
  };
}
