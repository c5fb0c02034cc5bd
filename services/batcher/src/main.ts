/**
 * batcher: the only process that writes SQLite (SPEC §6). It takes the data-dir lock, opens this
 * week's segment, and applies `tap:bets`, `tap:adjustments`, `tap:settlements` and `tap:prices`
 * through consumer group `batcher` in batched transactions; after each commit it acknowledges the
 * entries and publishes events to `tap:events` and the balance cache deltas (see README.md).
 */
import { createChannels } from '@tap/channels';
import {
  closeRedis,
  createLogger,
  createMetricsRegistry,
  createRedis,
  exitOnBadConfig,
  runDaemon,
  startDaemonBase,
} from '@tap/runtime';
import { createBatchApplier } from './apply/apply-batch.js';
import { betRulesOf } from './apply/bet-bounds.js';
import { createBatchCycle } from './batch-cycle.js';
import { loadConfig, SERVICE } from './config.js';
import { createFailPoint } from './fail-point.js';
import { createBatcherMetrics } from './metrics.js';
import { createBetStore } from './storage/bet-store.js';
import { lockDataDir } from './storage/data-dir-lock.js';
import { createLedgerWriter } from './storage/ledger-writer.js';
import { createOutbox } from './storage/outbox.js';
import { openWriterSegment } from './storage/segment.js';
import { rebuildBalanceCache } from './streams/cache-rebuild.js';
import { createConsumer } from './streams/consumer.js';
import { createPublisher } from './streams/publisher.js';

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
    const synchronous = config.BENCH_SYNCHRONOUS_NORMAL ? 'NORMAL' : 'FULL';
    const segment = openWriterSegment(config.DATA_DIR, Date.now(), synchronous);
    stopper.addFinal('segment', () => segment.close());
    stopper.addFinal('data-dir-lock', () => lock.release());
    log.info({ week: segment.week, path: segment.path, synchronous }, 'segment.opened');
    if (synchronous !== 'FULL') {
      log.warn(
        { variable: 'BENCH_SYNCHRONOUS_NORMAL' },
        'synchronous=NORMAL: a committed batch can be lost on power loss after its entries were acknowledged; benchmarks only',
      );
    }
    let consumer: ReturnType<typeof createConsumer> | undefined;
    const { redis } = await startDaemonBase({
      ...{ service: SERVICE, config, log, registry, stopper },
      health: () => {
        const phase = consumer?.phase() ?? 'starting';
        return { ok: segment.db.open && phase === 'running', segment: segment.week, phase, synchronous };
      },
    });

    const channels = createChannels(config.TAP_KEY_PREFIX);
    const reader = createRedis(config.REDIS_URL, log, `${SERVICE}-reader`);
    const [ledger, bets, outbox] = [
      createLedgerWriter(segment.db),
      createBetStore(segment.db),
      createOutbox(segment.db),
    ];
    const publisher = createPublisher(redis, channels, {
      eventsMaxLen: config.EVENTS_MAXLEN,
      deadLetterMaxLen: config.DEAD_LETTER_MAXLEN,
    });
    const metrics = createBatcherMetrics(registry, log);
    const cycle = createBatchCycle({
      applier: createBatchApplier(segment.db, { ledger, bets, outbox, betRules: betRulesOf(config) }),
      ...{ ledger, outbox, publisher, redis, channels, metrics, log },
      failPoint: createFailPoint(config.BATCHER_FAIL_POINT, config.BATCHER_FAIL_AFTER_BATCHES, log),
    });
    consumer = createConsumer({
      ...{ config, redis, reader, channels, cycle, outbox, publisher, metrics, log },
      rebuildCache: () =>
        rebuildBalanceCache({ redis, channels, db: segment.db, betExists: bets.exists, log }),
      checkpoint: () => segment.checkpointPassive(),
    });
    stopper.add('consumer', () => consumer?.stop());
    stopper.add('redis-reader', () => closeRedis(reader));
    consumer.start().catch((err: unknown) => {
      log.fatal({ err }, 'consumer.failed');
      process.exit(1);
    });
  },
});
