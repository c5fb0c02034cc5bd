/** Every chaos scenario, in the order `chaos all` runs them and CHAOS.md lists them (chaos-ci is CI's, not recorded). */
import type { Scenario } from '@tap/benchmarks/scenario';
import { chaosCi } from '../scenarios/chaos-ci.js';
import { chaosClock } from '../scenarios/chaos-clock.js';
import { chaosDisk } from '../scenarios/chaos-disk.js';
import { chaosHostileHttp } from '../scenarios/chaos-hostile-http.js';
import { chaosKill } from '../scenarios/chaos-kill.js';
import { chaosRedis } from '../scenarios/chaos-redis.js';
import { chaosWsStorm } from '../scenarios/chaos-ws-storm.js';

export const CHAOS_SCENARIOS: readonly Scenario[] = [
  chaosKill,
  chaosRedis,
  chaosHostileHttp,
  chaosClock,
  chaosWsStorm,
  chaosDisk,
  chaosCi,
];

export const CHAOS_ORDER = CHAOS_SCENARIOS.map((s) => s.name);

/** What `chaos all` runs and records: every scenario but CI's subset. */
export const RECORDED_ORDER = CHAOS_ORDER.filter((name) => name !== 'chaos-ci');

export function findChaosScenario(name: string): Scenario | undefined {
  return CHAOS_SCENARIOS.find((s) => s.name === name);
}
