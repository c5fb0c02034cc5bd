/**
 * batcher: the only process that writes SQLite (SPEC §6). It takes the data-dir lock, opens this
 * week's segment and will apply `tap:bets`, `tap:settlements`, `tap:adjustments` and `tap:prices`
 * in batched transactions (the bet-path issue); today it holds the lock and the segment and runs
 * the ops endpoint.
 */
import {
  createLogger,
  createMetricsRegistry,
  exitOnBadConfig,
  runDaemon,
  startDaemonBase,
} from '@tap/runtime';
import { loadConfig, SERVICE } from './config.js';
import { lockDataDir } from './storage/data-dir-lock.js';
import { openWriterSegment } from './storage/segment.js';

const config = exitOnBadConfig(SERVICE, loadConfig(process.env));
const log = createLogger(SERVICE, config.LOG_LEVEL);
const registry = createMetricsRegistry(SERVICE);

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    const lock = lockDataDir(config.DATA_DIR);
    if (!lock.ok) {
      throw new Error(`another batcher holds ${lock.path}: only one batcher may write ${config.DATA_DIR}`);
    }
    stopper.addFinal('data-dir-lock', () => lock.release());
    const segment = openWriterSegment(config.DATA_DIR, Date.now());
    stopper.addFinal('segment', () => segment.close());
    log.info({ week: segment.week, path: segment.path }, 'segment.opened');
    await startDaemonBase({
      service: SERVICE,
      config,
      log,
      registry,
      stopper,
      health: () => ({ ok: segment.db.open, segment: segment.week }),
    });
  },
});
