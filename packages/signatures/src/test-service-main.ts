/**
 * Test-only stand-in for a service's `main.ts`, bundled by the tests with the real tsup service
 * config to prove the documented wiring: the signature worker switch comes first, and in a
 * signature worker nothing after it runs.
 */
import { runSignatureWorkerIfWorker } from './index.js';

if (!runSignatureWorkerIfWorker()) {
  // A service would start here. In these tests this file only ever runs as a worker, so getting
  // here means the switch failed; exiting makes the pool see a worker that never became ready.
  process.exit(9);
}
