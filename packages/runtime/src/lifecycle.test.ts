import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createStopper } from './lifecycle.js';

const silent = pino({ level: 'silent' });

describe('createStopper', () => {
  it('runs the steps in the order they were added', async () => {
    const order: string[] = [];
    const stopper = createStopper(silent);
    stopper.add('input', () => order.push('input'));
    stopper.add('drain', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('drain');
    });
    stopper.add('close', () => order.push('close'));
    await stopper.stop();
    expect(order).toEqual(['input', 'drain', 'close']);
  });

  it('runs the final steps after every other step', async () => {
    const order: string[] = [];
    const stopper = createStopper(silent);
    stopper.addFinal('redis', () => order.push('redis'));
    stopper.add('input', () => order.push('input'));
    stopper.addFinal('ops', () => order.push('ops'));
    stopper.add('drain', () => order.push('drain'));
    await stopper.stop();
    expect(order).toEqual(['input', 'drain', 'redis', 'ops']);
  });

  it('runs the remaining steps when one fails', async () => {
    const order: string[] = [];
    const stopper = createStopper(silent);
    stopper.add('broken', () => {
      throw new Error('boom');
    });
    stopper.add('close', () => order.push('close'));
    await stopper.stop();
    expect(order).toEqual(['close']);
  });

  it('is idempotent: a second stop waits for the same run', async () => {
    let runs = 0;
    const stopper = createStopper(silent);
    stopper.add('count', () => {
      runs += 1;
    });
    await Promise.all([stopper.stop(), stopper.stop()]);
    await stopper.stop();
    expect(runs).toBe(1);
  });
});
