/**
 * Test-only worker entry that misbehaves on cue, to prove the pool replaces broken workers: a
 * signature ending in `dead1b` ends the thread, one ending in `beef1b` spins forever. Every
 * other request is served normally. The cue listener is registered before the real worker's:
 * recovery answers synchronously, so a later listener would only run after the reply had gone.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { runSignatureWorkerIfWorker } from './index.js';

if (!isMainThread) {
  parentPort?.on('message', (request: { signature: string }) => {
    if (request.signature.endsWith('dead1b')) process.exit(3);
    if (request.signature.endsWith('beef1b')) while (Date.now() > 0);
  });
}
runSignatureWorkerIfWorker();
