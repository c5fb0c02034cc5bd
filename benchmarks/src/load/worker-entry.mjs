// Bootstrap for load workers and child processes written in TypeScript: worker_threads do not
// inherit tsx's loader on Node 20, so register it here and then import the real entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData?.entry ?? process.argv[2]);
