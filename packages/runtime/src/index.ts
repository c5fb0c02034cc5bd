export {
  type ConfigOf,
  type ConfigResult,
  commonEnv,
  type Env,
  EXIT_CONFIG,
  env,
  exitOnBadConfig,
  parseEnv,
  redisAuthEnv,
  withoutUrlCredentials,
} from './config.js';
export { type DaemonBase, startDaemonBase } from './daemon-base.js';
export { abortable, type JobConfig, type JobOptions, jobOptionsOf, runJob } from './job.js';
export { createStopper, type DaemonOptions, runDaemon, type Stopper } from './lifecycle.js';
export { createLogger, type Logger } from './logger.js';
export { Counter, createMetricsRegistry, Gauge, Histogram, Registry } from './metrics.js';
export { type HealthCheck, type HealthReport, type OpsServer, startOpsServer } from './ops-server.js';
export {
  closeRedis,
  createRedis,
  isRedisUnavailable,
  newRedis,
  Redis,
  type RedisTarget,
  ReplyError,
  redisAddress,
  redisCredentials,
  redisHealth,
  subscribeWhenReady,
} from './redis.js';
export { bootService, type ServiceBoot } from './service-boot.js';
