/** Every scenario, in the order `all` runs them and RESULTS.md lists them. */
import { archiveThroughput } from '../scenarios/archive-throughput.js';
import { backupApply } from '../scenarios/backup-apply.js';
import { batcherApply } from '../scenarios/batcher-apply.js';
import { betUnderAbuse } from '../scenarios/bet-under-abuse.js';
import { generatorCheck } from '../scenarios/generator-check.js';
import { ingest, ingest3k, ingest3kDefended, smoke } from '../scenarios/ingest.js';
import { ingestMax } from '../scenarios/ingest-max.js';
import { loginStorm } from '../scenarios/login-storm.js';
import { profile } from '../scenarios/profile.js';
import { redisFsync } from '../scenarios/redis-fsync.js';
import { resolver } from '../scenarios/resolver.js';
import { rollover } from '../scenarios/rollover.js';
import { ceilingHttp, ceilingStream, naiveSqlite } from '../scenarios/servers.js';
import { webClient } from '../scenarios/web-client.js';
import { wsFanout } from '../scenarios/ws-fanout.js';
import type { Scenario } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [
  ingest3k,
  ingest3kDefended,
  ingestMax,
  generatorCheck,
  profile,
  ceilingHttp,
  ceilingStream,
  naiveSqlite,
  batcherApply,
  redisFsync,
  wsFanout,
  loginStorm,
  betUnderAbuse,
  resolver,
  webClient,
  archiveThroughput,
  backupApply,
  rollover,
  smoke,
  ingest,
];

/**
 * Scenarios `all` runs (smoke is CI's and ingest is ad hoc: neither is a result; archive-throughput
 * builds and ships a 1 GB segment, ~10 minutes on the dev machine, and backup-apply runs six batcher
 * applies on 300 MB segments with backups beside them, ~8 minutes: both run on demand).
 */
const NOT_IN_ALL = new Set(['smoke', 'ingest', 'archive-throughput', 'backup-apply']);
export const ALL_ORDER = SCENARIOS.filter((s) => !NOT_IN_ALL.has(s.name)).map((s) => s.name);

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
