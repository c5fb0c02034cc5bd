/**
 * The test kit without its vitest suites, for scripts run outside vitest (benchmarks run with
 * `npx tsx`): importing vitest from a plain script throws, and `index.ts` pulls the suites in.
 */
export { ADMISSION_REPLIES, queueAdmission } from './admission.js';
export { freshPrefix, startDaemon, waitForHealthy } from './daemon.js';
export {
  aBet,
  anAdjustment,
  anOperatorEntry,
  aPrint,
  aSettlement,
  TEST_OPERATOR_KEY,
  TEST_USER,
  testUlid,
} from './fixtures.js';
export { startNginx, type TestNginx } from './nginx.js';
export { freePort } from './ports.js';
export { type Started, startProcess } from './process.js';
export { startRedis, type TestRedis } from './redis-server.js';
export { REDIS_CONF, REDIS_NO_ACL_ARGS, REPO_ROOT, serviceEntry } from './repo.js';
export { startS3, type TestS3 } from './s3rver.js';
export { type SegmentFileOptions, writeSegmentFile } from './segment-file.js';
export { type StackDaemon, startStack, type TestStack } from './stack.js';
