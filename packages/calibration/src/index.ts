export { bootstrapRatioSe } from './bootstrap.js';
export {
  BUCKET_BETS_MIN,
  buildReport,
  type CalibrationReport,
  DISTANCE_BANDS,
  type FillDelayStats,
  type GroupStats,
  HORIZON_BANDS_MS,
  RESAMPLE_BLOCK_MS,
} from './calibration-report.js';
export {
  type Decisions,
  OUTCOME_LOST,
  OUTCOME_VOID,
  OUTCOME_WON,
  type RunOptions,
  type RunResult,
  runCalibration,
} from './calibration-run.js';
export type { CellValuer, StrategyStats } from './cell-valuer.js';
export { withEstimates, withFilteredIndex } from './estimated-prints.js';
export {
  type PooledCalibration,
  poolReports,
  zSpread,
} from './seed-pooled-report.js';
export {
  DEFAULT_EDGE_RULES,
  EDGE_RULE_BOUNDS,
  judgeStoredWalletEdges,
  type StoredEdgeJudgement,
  type StoredEdgeRules,
} from './stored-wallet-edges.js';
export {
  createWalletEdgeTally,
  describeWalletEdge,
  type EdgeJudgement,
  type EdgeRules,
  EMPIRICAL_BLOCKS_MIN,
  type SettledBet,
  type WalletEdge,
  type WalletEdgeTally,
} from './wallet-edge.js';
