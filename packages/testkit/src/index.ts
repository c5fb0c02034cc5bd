export { ADMISSION_REPLIES, admitBet, admitBetWhenReady, queueAdmission } from './admission.js';
export { freshPrefix, startDaemon, waitForHealthy } from './daemon.js';
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
export { describeDaemonLifecycle, describeJobLifecycle } from './lifecycle-suite.js';
export { startNginx, type TestNginx } from './nginx.js';
export { freePort } from './ports.js';
export { type Started, startProcess } from './process.js';
export {
  type RedisCredentials,
  type RedisDaemonCredentials,
  redisAclUsers,
  startRedis,
  type TestRedis,
} from './redis-server.js';
export { REDIS_CONF, REDIS_NO_ACL_ARGS, REPO_ROOT, serviceEntry } from './repo.js';
export { startS3, type TestS3 } from './s3rver.js';
export { type SegmentFileOptions, writeSegmentFile } from './segment-file.js';
export { type StackDaemon, startStack, type TestStack } from './stack.js';
