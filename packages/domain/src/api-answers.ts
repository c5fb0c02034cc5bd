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
}
