import type { Verdict } from '@tap/settlement';
import { describe, expect, it } from 'vitest';
import { WriteBehind } from './write-behind.js';

const silent = { error() {} } as never;
const verdict = (betId: string): Verdict => ({
  betId,
  decision: { outcome: 'void', evidence: { reason: 'deadline', deadlineMs: 1, lastPrint: null } },
  printT: null,
});

describe('WriteBehind', () => {
  it('writes then acknowledges each batch, in order, retrying a failed write before any later ack', async () => {
    const log: string[] = [];
    let failOnce = true;
    const queue = new WriteBehind({
      async write(verdicts) {
        if (verdicts[0]?.betId === 'A' && failOnce) {
          failOnce = false;
          throw new Error('redis down');
        }
        log.push(`write ${verdicts.map((v) => v.betId).join()}`);
      },
      async ack(ids) {
        log.push(`ack ${ids.join()}`);
      },
      log: silent,
      batchesMax: 10,
    });
    queue.enqueue([verdict('A')], ['1-0']);
    queue.enqueue([], ['2-0']);
    queue.enqueue([verdict('B')], ['3-0']);
    expect(queue.backlog).toBe(3);
    await queue.drain();
    expect(log).toEqual(['write A', 'ack 1-0', 'write ', 'ack 2-0', 'write B', 'ack 3-0']);
    expect(queue.backlog).toBe(0);
  });

  it('makes the loop wait when the queue is full', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = new WriteBehind({ write: () => gate, async ack() {}, log: silent, batchesMax: 1 });
    queue.enqueue([verdict('A')], ['1-0']);
    let roomy = false;
    const waiting = queue.room().then(() => {
      roomy = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(roomy).toBe(false);
    release();
    await waiting;
    expect(roomy).toBe(true);
  });
});
