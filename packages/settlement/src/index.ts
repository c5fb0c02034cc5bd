export { type Band, BandLadder } from './band-ladder.js';
export { BreakerLog } from './breaker-log.js';
export { type IndexRules, OpenBetIndex, type PrintResult } from './open-bet-index.js';
export { INTERVALS_MAX, PrintBreaker, warmUpMs } from './print-breaker.js';
export { type Accepted, PrintHistory } from './print-history.js';
export {
  type BreakerInterval,
  breakerVoid,
  type Decision,
  deadlineVoid,
  gapVoid,
  lost,
  type OpenBet,
  type Outcome,
  type PrintEvidence,
  type PrintRef,
  refOf,
  type Verdict,
  type VoidEvidence,
  won,
} from './verdict.js';
export { type ColumnRules, type Settled, WindowColumn } from './window-column.js';
