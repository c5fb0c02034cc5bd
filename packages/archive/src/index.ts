export { deleteKeys, listKeys } from './bucket-listing.js';
export {
  archiveKey,
  BACKUPS_PREFIX,
  type BackupRef,
  backupKey,
  MANIFEST_KEY,
  parseBackupKey,
  parseRedisBackupKey,
  REDIS_BACKUPS_PREFIX,
  redisBackupKey,
  stampOf,
} from './keys.js';
export { readManifest, saveLocalManifest, writeManifest } from './manifest.js';
export { type AnchorMerge, mergeAnchors } from './manifest-anchors.js';
export {
  anchorSchema,
  archivedOverlapping,
  archiverDir,
  emptyManifest,
  localManifestPath,
  type Manifest,
  type ManifestEntry,
  manifestSchema,
  readLocalManifest,
} from './manifest-schema.js';
export { manifestLockPath, updateManifest } from './manifest-update.js';
export {
  fetchVerifiedSegment,
  type RestoredSegment,
  RestoreRefused,
  type RestoreReport,
  restoreDataDir,
  stagedSegmentPath,
} from './restore.js';
export {
  liveRestoreOf,
  RESTORE_JOB_TTL_S,
  RESTORE_STATES,
  type RestoreJob,
  type RestoreRequestResult,
  type RestoreState,
  readRestoreJob,
  requestRestore,
  touchRestored,
  updateRestoreJob,
} from './restore-jobs.js';
export { planRestore, type RestorePlan, type RestoreSource } from './restore-plan.js';
export { backupsToPrune, type RetentionPolicy } from './retention.js';
export { DEFAULT_RETRY, type RetryInfo, type RetryPolicy, withRetry } from './retry.js';
export { checkBucket, createS3, type S3Settings, s3Env, s3EnvProblems } from './s3-client.js';
export { isoWeekEndMs, segmentStartMs } from './segment-period.js';
export { digestMetadata, fetchFile, META, shipFile } from './ship.js';
export { IntegrityError, type TransferContext, verifyObject } from './transfer.js';
export {
  compressFile,
  decompressFile,
  digestFile,
  type FileDigest,
  ZSTD_LEVELS,
  type ZstdResult,
} from './zstd-file.js';
