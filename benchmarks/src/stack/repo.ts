/** Paths into the repository (the test kit finds the root; the harness lives in `benchmarks/`). */
import { join } from 'node:path';
import { REPO_ROOT } from '@tap/testkit/standalone';

export { REPO_ROOT } from '@tap/testkit/standalone';
export const BENCH_ROOT = join(REPO_ROOT, 'benchmarks');
