/** Paths into the repository and a free loopback port, from the vitest-free entry of the test kit. */
import { join } from 'node:path';
import { REPO_ROOT } from '@tap/testkit/standalone';

export {
  freePort,
  REDIS_CONF,
  REDIS_NO_ACL_ARGS,
  REPO_ROOT,
  serviceEntry,
  TEST_OPERATOR_KEY,
} from '@tap/testkit/standalone';
export const BENCH_ROOT = join(REPO_ROOT, 'benchmarks');
