/**
 * resolver: settles open bets from index prints (SPEC §4). It rebuilds the open-bet index from the
 * SQLite segments (read-only) and `tap:events`, then reads `tap:prices` in order through group
 * `resolver`, detects touches, losses and voids, writes `tap:settlements` and acknowledges the
 * prints; a second loop follows `tap:events` for new and settled bets. SIGTERM stops both loops
 * after their current step (bounded BLOCK), so what was processed is acknowledged, then closes.
 */
import { createChannels } from '@tap/channels';
import { bootService, closeRedis, createRedis, runDaemon, startDaemonBase } from '@tap/runtime';
import { BreakerLog, OpenBetIndex, PrintBreaker, PrintHistory, warmUpMs } from '@tap/settlement';
import { breakerRules, indexRules, loadConfig, SERVICE } from './config.js';
import { createResolverHealth } from './health.js';
import { createResolverMetrics } from './metrics.js';
import { createEventStep } from './pipeline/event-loop.js';
import { startLoop } from './pipeline/loop.js';
import { createPriceLoop } from './pipeline/price-loop.js';
import { rebuildIndex } from './pipeline/startup.js';
import { createSegmentReader } from './storage/segment-reader.js';
import { createEventReader } from './streams/event-reader.js';
import { createPriceReader } from './streams/price-reader.js';
import { createSettlementWriter } from './streams/settlement-writer.js';

const { config, log, registry } = bootService(SERVICE, loadConfig(process.env));

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    const channels = createChannels(config.TAP_KEY_PREFIX);
    const history = new PrintHistory(config.PRINT_HISTORY_MS);
    const fromPrints = new PrintBreaker(breakerRules(config), config.PRINT_HISTORY_MS);
    const index = new OpenBetIndex(indexRules(config), history, new BreakerLog(fromPrints));
    const metrics = createResolverMetrics(registry, log, index);
    const health = createResolverHealth(index);
    const base = { service: SERVICE, config, log, registry, stopper, health: () => health.report() };
    const { redis } = await startDaemonBase(base);
    // Blocking reads hold their connection, so each loop gets its own.
    const pricesRedis = createRedis(config, log, `${SERVICE}-prices`);
    const eventsRedis = createRedis(config, log, `${SERVICE}-events`);
    stopper.addFinal('redis-prices', () => closeRedis(pricesRedis));
    stopper.addFinal('redis-events', () => closeRedis(eventsRedis));

    const segments = createSegmentReader(config.DATA_DIR);
    stopper.addFinal('segments', () => segments.close());
    const prices = createPriceReader(
      { blocking: pricesRedis, commands: redis },
      channels,
      config.CONSUMER_NAME,
    );
    const findOpenBet = (betId: string) => segments.findOpenBet(betId);
    const events = createEventReader(eventsRedis, channels, findOpenBet);
    const writer = createSettlementWriter(redis, channels);
    const common = { index, writer, metrics, log, readCount: config.READ_COUNT, blockMs: config.BLOCK_MS };

    const { eventsCursor } = await rebuildIndex({
      ...common,
      prices,
      events,
      segments,
      redis,
      channels,
      eventsReplayMs: config.EVENTS_REPLAY_MS,
      printHistoryMs: config.PRINT_HISTORY_MS,
      breakerWarmUpMs: warmUpMs(breakerRules(config)),
    });
    const pricePipeline = createPriceLoop({
      ...common,
      prices,
      redis,
      channels,
      onStepDone: health.stepDone,
    });
    const priceLoop = startLoop('prices', log, pricePipeline.step);
    stopper.add('price-loop', () => priceLoop.stop());
    stopper.add('settlement-writes', () => pricePipeline.drain());
    const eventLoop = startLoop('events', log, createEventStep({ ...common, events, cursor: eventsCursor }));
    stopper.add('event-loop', () => eventLoop.stop());
    health.markReady(Date.now());
  },
});
