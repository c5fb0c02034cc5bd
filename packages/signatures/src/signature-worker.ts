/**
 * The worker-thread side of the signature pool and the message protocol both sides share.
 *
 * Why an exported switch instead of a separate worker file: services ship as one bundled
 * `dist/main.js`, so there is no worker file to point at. The pool starts the service's own main
 * module in a worker thread with `workerData.role = SIGNATURE_WORKER_ROLE`, and main.ts calls
 * `runSignatureWorkerIfWorker()` before anything else; in a signature worker it starts the
 * recovery loop and returns true, and main.ts must then do nothing more (no config, no sockets).
 *
 * Each worker handles one request at a time (the pool never sends a second before the reply).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Address, Hex } from 'viem';
import { recoverSigner } from './siwe-login.js';

export const SIGNATURE_WORKER_ROLE = 'tap-signature-worker';

export interface RecoverRequest {
  id: number;
  message: string;
  signature: Hex;
}

export type WorkerReply = { type: 'ready' } | { type: 'recovered'; id: number; signer: Address | null };

let started = false;

/** True when this thread is a signature worker (the loop is now running); false on any other thread. */
export function runSignatureWorkerIfWorker(): boolean {
  if (isMainThread || parentPort === null || !isSignatureWorkerData(workerData)) return false;
  if (started) return true;
  started = true;
  const port = parentPort;
  port.on('message', (request: RecoverRequest) => {
    // recoverSigner never throws, so every request gets exactly one reply.
    const signer = recoverSigner(request.message, request.signature);
    const reply: WorkerReply = { type: 'recovered', id: request.id, signer };
    port.postMessage(reply);
  });
  const ready: WorkerReply = { type: 'ready' };
  port.postMessage(ready);
  return true;
}

function isSignatureWorkerData(data: unknown): boolean {
  return (
    typeof data === 'object' && data !== null && (data as { role?: unknown }).role === SIGNATURE_WORKER_ROLE
  );
}
