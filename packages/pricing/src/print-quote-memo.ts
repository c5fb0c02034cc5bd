/**
 * Quotes remembered per print, for the daemons that price many bets from one print (issues 19 and
 * 22). Every bet on a cell between two prints gets the same quote — a pure function of the print,
 * the cell and the fill's print count; only placeability reads the receive time, and callers check
 * it first (`checkPlaceable`) — while traders crowd the few cells near the index: at 3,000 bets/s
 * some 300 bets share a print (the load test's grid is at most 27 cells). Unremembered, pricing was
 * a third of ingest-api's CPU per bet (the quote at the expected fill is 22 evaluations of P,
 * expected-fill.ts) and made the batcher's print batch — all the fills of one print, whose
 * `accepted` events wait for the last of them — tens of milliseconds longer.
 *
 * The print is named by what the caller holds: the print object itself (ingest-api's market state
 * keeps one per print) or its id (the batcher reads stored prints, immutable by id). Bounded both
 * ways: the `printsMax` newest prints, `cellsMax` cells each — past that a quote is computed and not
 * kept, so a client spraying distinct cells costs what it cost before, and nothing more.
 */
export interface PrintQuoteMemo<T> {
  /** `compute()`'s value for (print, cell key): computed once while the print is among the newest. */
  get(print: object | number, cellKey: string, compute: () => T): T;
}

export function createPrintQuoteMemo<T>(printsMax = 4, cellsMax = 4_096): PrintQuoteMemo<T> {
  const byPrint = new Map<object | number, Map<string, T>>();
  return {
    get(print, cellKey, compute) {
      let cells = byPrint.get(print);
      if (cells === undefined) {
        cells = new Map();
        byPrint.set(print, cells);
        // Maps iterate in insertion order: the first key is the oldest print remembered.
        if (byPrint.size > printsMax) byPrint.delete(byPrint.keys().next().value as object | number);
      }
      const known = cells.get(cellKey);
      if (known !== undefined) return known;
      const value = compute();
      if (cells.size < cellsMax) cells.set(cellKey, value);
      return value;
    },
  };
}
