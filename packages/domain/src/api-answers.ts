/**
 * HTTP answers whose shape two packages share: ingest-api writes them, @tap/client (the web client,
 * the harness) reads them. Declared once here so a field added on one side cannot be missed on the
 * other.
 */

/** `GET /v1/me`: who the session acts for, the available balance and the open exposure. */
export interface MeAnswer {
  /** EIP-55 checksummed. */
  address: string;
  /** The lower-cased address. */
  userId: string;
  availableMicros: number;
  openPayoutMicros: number;
  openBets: number;
  /**
   * How this service prices a bet (ingest-api BET_ENTRY, BET_ENTRY_DELAY; SPEC §3 "Informed
   * traders"), so a client quotes what the bet will fill at (`@tap/pricing` fillPrintsOf and
   * quoteExpectedFill; docs/pricing.md "Quote at the expected fill"). The service's rule only: a
   * wallet's own delay (`tapctl delay`) is not told. Absent from an ingest-api older than it:
   * read as receipt.
   */
  fill?: FillAnswer;
}

/** `receipt`: priced at the print in effect at receipt; `next_print`: at a print after it. */
export type FillAnswer =
  | { entry: 'receipt' }
  | {
      entry: 'next_print';
      /** `@tap/pricing`'s `FillDelay`: every bet at the `prints`-th print, or each by the adaptive rule. */
      delay:
        | { kind: 'fixed'; prints: number }
        | {
            kind: 'adaptive';
            rule: { leadMs: number; errorFactor: number; printsMin: number; printsMax: number };
          };
    };
