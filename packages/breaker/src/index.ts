export {
  type BreakerInterval,
  INTERVALS_RETENTION_MS,
  type IntervalSource,
  intervalMember,
  parseIntervalMember,
  readBreakerIntervals,
} from './breaker-intervals.js';
export {
  type BreakerMachine,
  type BreakerRules,
  DEFAULT_BREAKER_RULES,
  evaluate,
  type FeedHealth,
  feedHealth,
  type ManualHalt,
  type OpenReason,
  observePrint,
  observeWriteFailure,
  type PrintSeen,
  type Step,
  startingMachine,
  watchingMachine,
} from './breaker-machine.js';
