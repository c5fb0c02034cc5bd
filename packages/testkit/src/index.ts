export { freshPrefix, startDaemon, waitForHealthy } from './daemon.js';
export { anAdjustment, aPrint, TEST_USER } from './fixtures.js';
export { type HangServer, startHangServer } from './hang-server.js';
export { describeDaemonLifecycle, describeJobLifecycle } from './lifecycle-suite.js';
export { freePort } from './ports.js';
export { type Started, startProcess } from './process.js';
export { startRedis, type TestRedis } from './redis-server.js';
export { REDIS_CONF, REPO_ROOT, serviceEntry } from './repo.js';
export { startS3, type TestS3 } from './s3rver.js';
