export {
  ADJUSTMENT_KINDS,
  type AdjustmentEntry,
  adjustmentEntrySchema,
  BET_STATUSES,
  type BetCell,
  type BetEntry,
  type BetStatus,
  BREAKER_STATES,
  type BreakerEntry,
  betCellSchema,
  betEntrySchema,
  betIdSchema,
  breakerEntrySchema,
  type DeadLetterEntry,
  deadLetterEntrySchema,
  type EventEntry,
  eventEntrySchema,
  OUTCOMES,
  type PrintEntry,
  printEntrySchema,
  type SettlementEntry,
  settlementEntrySchema,
  type Terms,
  termsSchema,
  userIdSchema,
} from './entries.js';
export { type ApiError, apiError, ERROR_CODES, type ErrorCode, statusOf } from './error-codes.js';
export { type BetDbRow, type BetView, betView } from './segment/bet-row.js';
export { isoWeekOf, segmentFileName } from './segment/iso-week.js';
export {
  type ChainCheck,
  canonicalLedgerRow,
  GENESIS_HASH,
  type LedgerRow,
  ledgerHash,
  verifyLedgerChain,
} from './segment/ledger-hash.js';
export { type MigrateResult, migrate, type SqlDatabase } from './segment/migrate.js';
export {
  LEDGER_REF_TYPES,
  type LedgerRefType,
  type Migration,
  SEGMENT_MIGRATIONS,
  WRITER_PRAGMAS,
} from './segment/schema.js';
export {
  type ChainDatabase,
  type ChainPage,
  type LedgerDbRow,
  PREV_USER_BET_SQL,
  PREV_USER_LEDGER_SQL,
  userBetsNewestFirst,
  userLedgerNewestFirst,
} from './segment/user-chains.js';
export { BP_PER_UNIT, MICROS_PER_USD, payoutMicros, usdToMicros, userIdOf } from './units.js';
