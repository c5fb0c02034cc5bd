/**
 * The test kit without its vitest suites, for scripts run outside vitest (benchmarks run with
 * `npx tsx`): importing vitest from a plain script throws, and `index.ts` pulls the suites in.
 * This is the one list of the kit's public surface; `index.ts` adds only the suites.
 */
export { ADMISSION_REPLIES, admitBet, admitBetWhenReady, queueAdmission } from './admission.js';
export { type DaemonOptions, freshPrefix, scrapeMetric, startDaemon, waitForHealthy } from './daemon.js';
export { type FakeMarket, startFakeMarket } from './fake-market.js';
export { type Fault, type FaultProxy, startFaultProxy } from './fault-proxy.js';
export {
  aBet,
  aBetPlacedNow,
  anAdjustment,
  anOperatorEntry,
  aPrint,
  aSettlement,
  TEST_OPERATOR_KEY,
  TEST_USER,
  testUlid,
} from './fixtures.js';
export { type HangServer, startHangServer } from './hang-server.js';
export {
  type IntegrityCronReport,
  type IntegrityCronRun,
  integrityProblems,
  runIntegrityCron,
} from './integrity-cron.js';
export { startNginx, type TestNginx } from './nginx.js';
export { freePort } from './ports.js';
export {
  CLOCK_TICKS_PER_S,
  findThreadByName,
  liveChildPids,
  type ProcMemory,
  type ProcStat,
  parseMachineTicks,
  parseProcMemory,
  parseProcStat,
  parseSchedStat,
  parseScheduling,
  readMachineTicks,
  readMainThreadSchedStat,
  readProcMemory,
  readProcStat,
  readScheduling,
  readTaskSchedStat,
  readThreadSchedStat,
  SCHED_IDLE,
  type SchedStat,
  type Scheduling,
} from './proc.js';
export { type ProcessOptions, type Started, startProcess } from './process.js';
export { type ReadOnlySegments, readOnlySegments } from './read-only-segments.js';
export {
  type RedisCredentials,
  type RedisDaemonCredentials,
  type RedisOptions,
  redisAclUsers,
  startRedis,
  type TestRedis,
} from './redis-server.js';
export { REDIS_CONF, REDIS_NO_ACL_ARGS, REPO_ROOT, serviceEntry, unitNodeArgs } from './repo.js';
export { startS3, type TestS3 } from './s3rver.js';
export { type SegmentFileOptions, writeSegmentFile } from './segment-file.js';
export { STACK_DAEMONS, type StackDaemon, startStack, type TestStack } from './stack.js';
export { waitUntil } from './wait-until.js';
