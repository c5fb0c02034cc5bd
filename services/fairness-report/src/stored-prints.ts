/**
 * The index prints the report covers, from the segments (the view of @tap/domain: the current one
 * and the last 4 closed, read-only), in keyset pages of PAGE prints — the same `printsBetween`
 * the history API serves. At 10 prints/s a day is ~864,000 prints (~100 MB as objects): HOURS
 * bounds the memory.
 */
import { openSegmentView, type PrintEntry, printsBetween } from '@tap/domain';

const PAGE = 10_000;

export function storedPrints(dataDir: string, range: { fromMs: number; toMs: number }): PrintEntry[] {
  const view = openSegmentView(dataDir);
  try {
    if (view.segments().length === 0) throw new Error(`no segments under ${dataDir}: no prints to judge`);
    const prints: PrintEntry[] = [];
    let after: { t: number; id: number } | undefined;
    for (;;) {
      const page = printsBetween(view, { ...range, limit: PAGE, ...(after ? { after } : {}) });
      for (const row of page) {
        // `simulated` is not read by the calibration (printsBetween does not select it).
        prints.push({
          id: row.id,
          t: row.t,
          priceCents: row.price_cents,
          venues: row.venues,
          sigma: row.sigma,
          simulated: false,
        });
      }
      if (page.length < PAGE) return prints;
      const last = page.at(-1)!;
      after = { t: last.t, id: last.id };
    }
  } finally {
    view.close();
  }
}
