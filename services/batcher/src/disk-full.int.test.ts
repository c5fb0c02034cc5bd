/**
 * A full disk under the batcher (issue 20): the data directory is a 6 MB tmpfs, mounted in a user
 * and mount namespace of its own (`unshare`, no root needed), mostly taken by a filler file. Bets
 * are admitted until batches fail with SQLITE_FULL; the batcher must keep running, say so (log and
 * `tap_batcher_storage_failing`), stop its heartbeat (admission then answers 503 batcher_behind),
 * dead-letter nothing, and apply every bet exactly once by itself once the filler is deleted.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Channels, encodeEntry } from '@tap/channels';
import { segmentsDir } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import {
  aBetPlacedNow,
  anAdjustment,
  freePort,
  scrapeMetric,
  serviceEntry,
  startProcess,
  TEST_OPERATOR_KEY,
  waitForHealthy,
} from '@tap/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ledgerProblems } from './storage/test-segment.js';
import { admitBet, eventually, newSetup, pendingTotal, redisForSuite, streamJson } from './testing.js';

const USD = 1_000_000;
const WALLETS = Array.from({ length: 20 }, (_, i) => `0x${(0xd0000 + i).toString(16).padStart(40, '0')}`);

/**
 * In the namespace: mount the tmpfs on DATA_DIR, fill it but for FREE_KB, run the batcher and write
 * its PID to PID_FILE; when RELEASE appears delete the filler; on SIGTERM stop the batcher and copy
 * the data directory out to COPY_DIR (the tmpfs is visible only inside the namespace). The namespace
 * shares the PID space, so the PID is the batcher's outside too: a failed test kills it by that PID
 * (a SIGKILL of this shell alone would leave the batcher running).
 */
const NAMESPACE_SCRIPT = `
set -u
mount -t tmpfs -o size=6m tmpfs "$DATA_DIR"
head -c $(( (6 * 1024 - FREE_KB) * 1024 )) /dev/zero > "$DATA_DIR/filler" 2>/dev/null || true
"$NODE" "$ENTRY" &
pid=$!
echo $pid > "$PID_FILE"
trap 'kill -TERM $pid' TERM
while [ ! -e "$RELEASE" ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
rm -f "$DATA_DIR/filler"
wait $pid; wait $pid; code=$?
rm -f "$DATA_DIR/filler"
cp -a "$DATA_DIR/." "$COPY_DIR/"
exit $code
`;

describe('batcher on a full disk', () => {
  const suite = redisForSuite();

  it('stops applying with an error and a metric, loses and dead-letters nothing, and resumes when space returns', async () => {
    const setup = newSetup(suite.url);
    const work = mkdtempSync(join(tmpdir(), 'tap-disk-full-'));
    const copyDir = join(work, 'copy');
    const release = join(work, 'release');
    const pidFile = join(work, 'batcher.pid');
    mkdirSync(copyDir);
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const daemon = startProcess(
      'unshare',
      ['--user', '--map-root-user', '--mount', 'sh', '-c', NAMESPACE_SCRIPT],
      {
        env: {
          PATH: process.env.PATH ?? '',
          ...{ NODE: process.execPath, ENTRY: serviceEntry('batcher'), FREE_KB: '1024' },
          ...{ DATA_DIR: setup.dataDir, COPY_DIR: copyDir, RELEASE: release, PID_FILE: pidFile },
          ...{ REDIS_URL: setup.redisUrl, TAP_KEY_PREFIX: setup.prefix, OPS_PORT: String(port) },
          ...{ OPERATOR_MAC_KEY: TEST_OPERATOR_KEY, LOG_LEVEL: 'warn', DEAD_MAN_SWEEP_INTERVAL_MS: '0' },
          // Small batches so the disk fills between commits, not in the first one.
          BATCH_MAX: '50',
          HEARTBEAT_INTERVAL_MS: '200',
        },
      },
    );
    try {
      await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 20_000);
      for (const userId of WALLETS) {
        const deposit = anAdjustment({ userId, amountMicros: 100_000 * USD });
        await suite.redis.xadd(
          setup.channels.streams.adjustments,
          '*',
          ...encodeEntry('adjustments', deposit),
        );
      }
      // Admit bets until the disk is full: a batch fails and the batcher says so.
      const betIds: string[] = [];
      const deadline = Date.now() + 60_000;
      while ((await scrapeMetric(metricsUrl, 'tap_batcher_storage_failing')) !== 1) {
        expect(Date.now(), 'the disk never filled').toBeLessThan(deadline);
        for (let i = 0; i < 50; i += 1) {
          const bet = aBetPlacedNow({ userId: WALLETS[i % WALLETS.length]!, stakeMicros: USD });
          await admitBet(suite.redis, setup.channels, bet);
          betIds.push(bet.betId);
        }
        await sleep(20);
      }
      expect(
        daemon.lines.some((l) => l.includes('"batch.storage_failed"') && l.includes('SQLITE_FULL')),
      ).toBe(true);
      // Still failing a second later, still alive, and its heartbeat no longer moves.
      const heartbeatKey = setup.channels.keys.batcherHeartbeat;
      const beatBefore = await suite.redis.hget(heartbeatKey, 'at');
      await sleep(1_000);
      expect(await suite.redis.hget(heartbeatKey, 'at')).toBe(beatBefore);
      expect(await scrapeMetric(metricsUrl, 'tap_batcher_storage_failing')).toBe(1);
      expect(await pendingTotal(suite.redis, setup)).toBeGreaterThan(0);
      // More bets while it fails: they wait in the stream.
      for (let i = 0; i < 100; i += 1) {
        const bet = aBetPlacedNow({ userId: WALLETS[i % WALLETS.length]!, stakeMicros: USD });
        await admitBet(suite.redis, setup.channels, bet);
        betIds.push(bet.betId);
      }

      writeFileSync(release, '');
      await eventually(
        () => scrapeMetric(metricsUrl, 'tap_batcher_storage_failing'),
        (v) => v === 0,
        20_000,
      );
      // Drained: nothing delivered and unacknowledged, and nothing not yet read (the bets admitted
      // while the disk was full wait unread behind the failing batch; pending alone misses them).
      // Unread first: read the other way round, a batch delivered between the two reads is in
      // neither count (pending 0, then unread 0 with that batch still pending).
      await eventually(
        async () => (await unreadBets(suite.redis, setup)) + (await pendingTotal(suite.redis, setup)),
        (n) => n === 0,
        20_000,
      );
      expect(await unreadBets(suite.redis, setup)).toBe(0);
      expect(await pendingTotal(suite.redis, setup)).toBe(0);
      expect(await daemon.stop('SIGTERM', 10_000)).toEqual({ code: 0, signal: null });

      const [segment] = readdirSync(segmentsDir(copyDir)).filter((f) => f.endsWith('.db'));
      const db = new Database(join(segmentsDir(copyDir), segment!), { readonly: true });
      try {
        const stored = db.prepare('SELECT id FROM bets').pluck().all() as string[];
        expect(stored.length).toBe(betIds.length);
        expect(new Set(stored)).toEqual(new Set(betIds));
        expect(db.prepare("SELECT count(*) FROM bets WHERE status <> 'accepted'").pluck().get()).toBe(0);
        expect(ledgerProblems(db)).toEqual([]);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
      const deadLetters = await streamJson(suite.redis, setup.channels.streams.deadLetter);
      expect(deadLetters).toEqual([]);
    } finally {
      // After a pass the batcher has exited (the SIGTERM above); after a failure it may still run.
      killRecordedBatcher(pidFile);
      await daemon.stop('SIGKILL');
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
});

/**
 * SIGKILL of the batcher the namespace shell started, by the PID it recorded — only if that PID is
 * still the batcher (its command line names the batcher's entry), never a process that reused it.
 */
function killRecordedBatcher(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // gone already: nothing to stop
  }
  if (!cmdline.includes(serviceEntry('batcher'))) return;
  process.kill(pid, 'SIGKILL');
}

/** Entries of tap:bets the batcher's group has not read yet (XINFO GROUPS `lag`, Redis ≥ 7). */
async function unreadBets(redis: Redis, setup: { channels: Channels }): Promise<number> {
  const groups = (await redis.xinfo('GROUPS', setup.channels.streams.bets)) as unknown[][];
  for (const raw of groups) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) info[String(raw[i])] = raw[i + 1];
    if (info.name === setup.channels.groups.batcher) return Number(info.lag ?? 0);
  }
  throw new Error('the batcher has no consumer group on tap:bets');
}
