export { type BetTerms, type BetTermsQuote, betTermsOf, type PrintToPrice } from './bet-terms.js';
export { bivariateNormalCdf } from './bivariate-normal.js';
export {
  type CellAt,
  checkPlaceable,
  isCellOnGrid,
  type NotPlaceableReason,
  type PlaceableCheck,
} from './cell-rules.js';
export { quoteExpectedFill } from './expected-fill.js';
export {
  ADAPTIVE_FILL_DELAY_DEFAULTS,
  type AdaptiveFillDelayRule,
  adaptiveFillDelay,
  createServiceFillDelay,
  FILL_DELAY_EASE_SPAN_MS,
  type FillDelay,
  type FillDelayPrint,
  fillDelayRuleProblems,
  fillPrintsOf,
} from './fill-delay.js';
export {
  createIndexFilter,
  type FilteredIndex,
  filteredIndexOf,
  type IndexFilter,
  type IndexFilterState,
  nextIndexFilterState,
  type PrintForPricing,
  pricingIndexOf,
} from './index-filter.js';
export {
  createNoisyTouch,
  type NoisyTouchInput,
  noiseShapeAt,
  noisyTouchProbability,
  type WindowMaxTable,
} from './noisy-touch.js';
export { normalCdf } from './normal.js';
export {
  GRID_BANDS_EACH_SIDE_DEFAULT,
  GRID_BANDS_EACH_SIDE_MAX,
  GRID_COLUMNS_MAX,
  type GridCell,
  gridColumns,
  gridRows,
  type PriceGrid,
  type PriceGridInput,
  priceGrid,
} from './price-grid.js';
export {
  DEFAULT_PRICING_CONFIG,
  type PricingConfig,
  pricingConfigProblems,
  SECONDS_PER_YEAR,
  sigmaFromAnnualized,
} from './pricing-config.js';
export { createPrintQuoteMemo, type PrintQuoteMemo } from './print-quote-memo.js';
export {
  type CellPrice,
  type CellQuote,
  multiplierBpOf,
  type NotOfferedReason,
  type PriceCellInput,
  type PricedCell,
  priceCell,
  type QuoteCellInput,
  quoteCell,
} from './quote-cell.js';
export { type QuotablePrint, quoteCellFromPrint } from './quote-from-print.js';
export { createSeededRandom, type SeededRandom } from './seeded-random.js';
export {
  createSigmaEstimator,
  initialSigmaState,
  nextSigmaState,
  noiseOf,
  type ReturnMoments,
  type SigmaEstimator,
  type SigmaEstimatorConfig,
  type SigmaState,
  sigmaOf,
} from './sigma-estimator.js';
export {
  BGK_BETA,
  continuousTouchProbability,
  type TouchInput,
  touchProbability,
} from './touch-probability.js';
