import { describe, expect, it } from 'vitest';
import { withRetry } from './retry.js';

const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('withRetry', () => {
  it('retries a failing call up to the attempts and reports each retry', async () => {
    const retries: number[] = [];
    let calls = 0;
    const result = await withRetry(
      'flaky',
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('reset');
        return 'done';
      },
      { policy, onRetry: (info) => retries.push(info.attempt) },
    );
    expect(result).toBe('done');
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after the last attempt with its error', async () => {
    await expect(withRetry('down', async () => Promise.reject(new Error('503')), { policy })).rejects.toThrow(
      '503',
    );
  });

  it('does not retry a client error that would answer the same', async () => {
    let calls = 0;
    const noSuchBucket = Object.assign(new Error('NoSuchBucket'), { $metadata: { httpStatusCode: 404 } });
    await expect(
      withRetry(
        'bucket',
        async () => {
          calls += 1;
          throw noSuchBucket;
        },
        { policy },
      ),
    ).rejects.toThrow('NoSuchBucket');
    expect(calls).toBe(1);
  });

  it('stops at once when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM'));
    await expect(withRetry('x', async () => 'never', { policy, signal: controller.signal })).rejects.toThrow(
      'SIGTERM',
    );
  });
});
