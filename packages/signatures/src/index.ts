export {
  createSignaturePool,
  type LoginBusy,
  type SignaturePool,
  type SignaturePoolOptions,
  type SignaturePoolResult,
  type SignaturePoolStats,
} from './signature-pool.js';
export { runSignatureWorkerIfWorker } from './signature-worker.js';
export {
  SIWE_MESSAGE_BYTES_MAX,
  SIWE_SKEW_MS_DEFAULT,
  type SiweLoginCode,
  type SiweLoginFailure,
  type SiweLoginInput,
  type SiweLoginPolicy,
  type SiweLoginResult,
  type SiweLoginSuccess,
  verifySiweLogin,
} from './siwe-login.js';
export { type BuildSiweMessageParams, buildSiweMessage, randomNonce } from './siwe-message.js';
