export type { FillAnswer, MeAnswer } from './api-answers.js';
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
  type Candle1s,
  type DeadLetterEntry,
  deadLetterEntrySchema,
  type EventEntry,
  eventEntrySchema,
  FILL_DELAY_PRINTS_MAX,
  type FillPrint,
  fillPrintOf,
  fillPrintSchema,
  nextPrintSchema,
  OPERATOR_ACTIONS,
  type OperatorAction,
  type OperatorEntry,
  OUTCOMES,
  operatorEntrySchema,
  type PrintEntry,
  printEntrySchema,
  type SettlementEntry,
  settlementEntrySchema,
  type Terms,
  termsSchema,
  userIdSchema,
} from './entries.js';
export { type ApiError, apiError, ERROR_CODES, type ErrorCode, statusOf } from './error-codes.js';
export {
  type MacPurpose,
  macSchema,
  operatorKeySchema,
  operatorMac,
  signOperatorEntry,
  verifyOperatorEntry,
} from './operator/operator-mac.js';
export { PRINT_PAGE_MS, printPageQuery, printPageStarts } from './print-pages.js';
export { type BetDbRow, type BetView, betView } from './segment/bet-row.js';
export { isoWeekOf, segmentFileName } from './segment/iso-week.js';
export {
  ANCHORS_FILE_NAME,
  type AnchorCheck,
  anchorMismatches,
  anchorsPath,
  checkAnchorsAgainst,
  isLedgerAnchor,
  type LedgerAnchor,
  parseAnchors,
  readAnchorsFile,
} from './segment/ledger-anchors.js';
export { createLedgerChain, type LedgerChain, lastLedgerRow } from './segment/ledger-chain.js';
export {
  type ChainCheck,
  canonicalLedgerRow,
  GENESIS_HASH,
  type LedgerRow,
  ledgerHash,
  verifyLedgerChain,
} from './segment/ledger-hash.js';
export {
  type LedgerPage,
  type LedgerRowIn,
  type LedgerSegment,
  ledgerBetween,
  ledgerByRef,
  type TimeCursor,
} from './segment/ledger-queries.js';
export { type MigrateResult, migrate, type SqlDatabase } from './segment/migrate.js';
export {
  FIXED_PERIOD_MS_MIN,
  fixedPeriodScheme,
  isoWeekScheme,
  isSegmentName,
  type PeriodScheme,
  parseSegmentPeriod,
  type SegmentPeriod,
} from './segment/period.js';
export { withRestoredSegments } from './segment/restored-view.js';
export {
  LEDGER_REF_TYPES,
  type LedgerRefType,
  type Migration,
  SEGMENT_MIGRATIONS,
  WRITER_PRAGMAS,
} from './segment/schema.js';
export {
  listPartialSegments,
  listSegments,
  partialSegmentPath,
  RESTORED_DIR,
  restoredSegmentPath,
  SEALED_SEGMENT_MODE,
  SegmentDirError,
  type SegmentFile,
  sealSegmentFiles,
  segmentPath,
  segmentsDir,
} from './segment/segment-files.js';
export { type LinkDatabase, type LinkedSegment, segmentLinkProblems } from './segment/segment-link.js';
export {
  type ClosingBalance,
  type ClosingCut,
  type ClosingRecord,
  type LedgerHead,
  META_KEYS,
  type MetaDatabase,
  type OpeningRecord,
  readClosingBalances,
  readMeta,
  readSegmentMeta,
  readSegmentState,
  SEGMENT_STATES,
  type SegmentMeta,
  type SegmentState,
  writeMeta,
} from './segment/segment-meta.js';
export { type ProofDatabase, proveSegment, type SegmentProof } from './segment/segment-proof.js';
export {
  openSegmentReadOnly,
  openSegmentView,
  type SegmentView,
  type SegmentViewOptions,
  type ViewSegment,
} from './segment/segment-view.js';
export { forEachSettledBet, type SettledBetRow } from './segment/settled-bets.js';
export {
  type ChainDatabase,
  type ChainPage,
  type LedgerDbRow,
  PREV_USER_BET_SQL,
  PREV_USER_LEDGER_SQL,
  userBetsNewestFirst,
  userLedgerNewestFirst,
  type WalkedPage,
} from './segment/user-chains.js';
export {
  type CrossWalkOptions,
  findBet,
  openBetRows,
  PRINTS_PAGE_SQL,
  type PrintRow,
  printKeyset,
  printsBetween,
  userBetsAcross,
  userLedgerAcross,
} from './segment/view-queries.js';
export { BP_PER_UNIT, MICROS_PER_USD, payoutMicros, usdToMicros, userIdOf } from './units.js';
export {
  type BalanceEventMessage,
  type BetEventMessage,
  type BreakerMessage,
  breakerMessageSchema,
  type ErrorMessage,
  type EventMessage,
  errorMessageSchema,
  type PongMessage,
  pongMessageSchema,
  RESYNC_REASONS,
  type ReadyMessage,
  type ResyncMessage,
  type ResyncReason,
  readyMessageSchema,
  resyncMessageSchema,
  type ServerMessage,
  serverMessageSchema,
  type TickMessage,
  tickMessageSchema,
} from './ws-messages.js';
