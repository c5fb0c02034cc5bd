/**
 * batcher: the only process that writes SQLite (SPEC §6). It takes the data-dir lock, opens the
 * current segment (finishing a roll-over a crash interrupted), and applies `tap:bets`, `tap:adjustments`, `tap:settlements` and `tap:prices`
 * through consumer group `batcher` in batched transactions; after each commit it acknowledges the
 * entries and publishes events to `tap:events` and the balance cache deltas; between batches it
 * rolls the segment over when its period ends (see README.md).
 */

import { createChannels } from '@tap/channels';
import { anchorsPath, parseSegmentPeriod } from '@tap/domain';
import { bootService, closeRedis, createRedis, runDaemon, startDaemonBase } from '@tap/runtime';
import { betRulesOf } from './apply/bet-bounds.js';
import { createBatchCycle } from './batch-cycle.js';
import { loadConfig, SERVICE } from './config.js';
import { createFailPoint } from './fail-point.js';
import { createBatcherMetrics } from './metrics.js';
import { openWriterSegments } from './rollover/writer-segments.js';
import { createAnchorWriter } from './storage/anchors.js';
import { lockDataDir } from './storage/data-dir-lock.js';
import { startSegmentRetention } from './storage/segment-retention.js';
import { rebuildBalanceCache } from './streams/cache-rebuild.js';
import { createConsumer } from './streams/consumer.js';
import { writeHeartbeat } from './streams/heartbeat.js';
import { clearCommittedPendingMarkers } from './streams/pending-markers.js';
import { createPublisher } from './streams/publisher.js';
import { currentParts } from './writer-parts.js';

const { config, log, registry } = bootService(SERVICE, loadConfig(process.env));

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    const lock = lockDataDir(config.DATA_DIR);
    if (!lock.ok) {
      throw new Error(`another batcher holds ${lock.path}: only one batcher may write ${config.DATA_DIR}`);
    }
    const synchronous = config.BENCH_SYNCHRONOUS_NORMAL ? 'NORMAL' : 'FULL';
    const failPoint = createFailPoint(config.BATCHER_FAIL_POINT, config.BATCHER_FAIL_AFTER_BATCHES, log);
    const metrics = createBatcherMetrics(registry, log);
    const clock = () => Date.now() + config.BATCHER_TEST_CLOCK_OFFSET_MS;
    const segments = await openWriterSegments({
      ...{ dataDir: config.DATA_DIR, synchronous, failPoint, log },
      scheme: parseSegmentPeriod(config.SEGMENT_PERIOD)!,
      clock,
      onRollover: (report) => metrics.rolledOver(report),
    });
    stopper.addFinal('segment', () => segments.close());
    stopper.addFinal('data-dir-lock', () => lock.release());
    const parts = currentParts(segments, betRulesOf(config), config.OPERATOR_MAC_KEY);
    log.info({ segment: parts().segment.name, period: config.SEGMENT_PERIOD, synchronous }, 'segment.opened');
    if (synchronous !== 'FULL') {
      log.warn(
        { variable: 'BENCH_SYNCHRONOUS_NORMAL' },
        'synchronous=NORMAL: a committed batch can be lost on power loss after its entries were acknowledged; benchmarks only',
      );
    }
    if (config.BATCHER_TEST_CLOCK_OFFSET_MS !== 0) {
      log.warn(
        { offsetMs: config.BATCHER_TEST_CLOCK_OFFSET_MS },
        'test hook: the roll-over clock is shifted',
      );
    }
    if (config.DEAD_MAN_SWEEP_INTERVAL_MS === 0) {
      log.warn(
        { variable: 'DEAD_MAN_SWEEP_INTERVAL_MS' },
        'dead-man sweep off: a bet the resolver never settles keeps its stake locked; tests only',
      );
    }
    const anchors = createAnchorWriter(config.ANCHORS_FILE ?? anchorsPath(config.DATA_DIR), () => ({
      segment: parts().segment.name,
      head: parts().ledger.ownHead(),
    }));
    let consumer: ReturnType<typeof createConsumer> | undefined;
    const { redis } = await startDaemonBase({
      ...{ service: SERVICE, config, log, registry, stopper },
      health: () => {
        const phase = consumer?.phase() ?? 'starting';
        const segment = parts().segment;
        return { ok: segment.db.open && phase === 'running', segment: segment.name, phase, synchronous };
      },
    });

    const channels = createChannels(config.TAP_KEY_PREFIX);
    const reader = createRedis(config, log, `${SERVICE}-reader`);
    const publisher = createPublisher(redis, channels, {
      eventsMaxLen: config.EVENTS_MAXLEN,
    });
    const cycle = createBatchCycle({ parts, ...{ publisher, redis, channels, metrics, log, failPoint } });
    consumer = createConsumer({
      ...{ config, redis, reader, channels, cycle, publisher, metrics, log },
      outbox: () => parts().outbox,
      rebuildCache: () =>
        rebuildBalanceCache({ redis, channels, db: parts().segment.db, betExists: parts().bets.exists, log }),
      clearCommittedPendingMarkers: () =>
        clearCommittedPendingMarkers({
          redis,
          channels,
          db: parts().segment.db,
          betExists: parts().bets.exists,
          log,
        }),
      checkpoint: () => parts().segment.checkpointPassive(),
      rollOverIfDue: (behind) => segments.rollOverIfDue({ behind, beforeCut: () => cycle.flush() }),
      heartbeat: async (nowMs) => metrics.setUnappliedAge(await writeHeartbeat(redis, channels, nowMs)),
      anchor: (nowMs) => {
        const anchor = anchors.anchor(nowMs);
        if (anchor) metrics.anchored(anchor.at);
      },
    });
    const retention = startSegmentRetention({
      ...{ dataDir: config.DATA_DIR, keptLocal: config.SEGMENTS_KEPT_LOCAL, log },
      intervalMs: config.SEGMENT_RETENTION_INTERVAL_MS,
      onResult: (result) => metrics.retained(result),
    });
    stopper.add('segment-retention', () => retention.stop());
    stopper.add('consumer', () => consumer?.stop());
    stopper.add('redis-reader', () => closeRedis(reader));
    consumer.start().catch((err: unknown) => {
      log.fatal({ err }, 'consumer.failed');
      process.exit(1);
    });
  },
});
