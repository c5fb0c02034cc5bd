/**
 * The test kit: everything in `standalone.ts` (the one explicit list of its surface, importable from
 * a plain script) plus the vitest suites. Listing the surface twice let the two entries drift apart.
 */
export { describeDaemonLifecycle, describeJobLifecycle } from './lifecycle-suite.js';
export * from './standalone.js';
