import { describe, expect, it } from 'vitest';
import { batchCalls } from './admission-batch.js';

/** A send whose calls the test answers by hand, in any order. */
function manualSend() {
  const calls: { items: number[]; answer(): void; fail(err: Error): void }[] = [];
  const send = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, answer: () => resolve(items.map((i) => `r${i}`)), fail: reject });
    });
  return { send, calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('batchCalls', () => {
  it('sends the items of one event-loop turn together, once the turn ends', async () => {
    const { send, calls } = manualSend();
    const call = batchCalls(send, { betsMax: 16, callsInFlightMax: 4 });
    const results = [call(1), call(2), call(3)];
    expect(calls).toHaveLength(0);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3]]);
    const next = call(4);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3], [4]]);
    calls[1]!.answer();
    calls[0]!.answer();
    expect(await Promise.all([...results, next])).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('sends a lone item in its own turn, and items arriving while calls are full in the next call', async () => {
    const { send, calls } = manualSend();
    const call = batchCalls(send, { betsMax: 16, callsInFlightMax: 1 });
    const first = call(1);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    const later = [call(2), call(3), call(4)];
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]!.answer();
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.answer();
    expect(await first).toBe('r1');
    expect(await Promise.all(later)).toEqual(['r2', 'r3', 'r4']);
  });

  it('puts at most betsMax items in a call and keeps callsInFlightMax calls going', async () => {
    const { send, calls } = manualSend();
    const call = batchCalls(send, { betsMax: 2, callsInFlightMax: 2 });
    const results = [1, 2, 3, 4, 5, 6].map((i) => call(i));
    await settle();
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    calls[0]!.answer();
    await settle();
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    calls[1]!.answer();
    calls[2]!.answer();
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('fails every item of a failed call with its error, and later calls still go', async () => {
    const { send, calls } = manualSend();
    const call = batchCalls(send, { betsMax: 8, callsInFlightMax: 1 });
    const first = call(1);
    await settle();
    const [second, third] = [call(2), call(3)];
    calls[0]!.answer();
    await settle();
    calls[1]!.fail(new Error('Command timed out'));
    await expect(second).rejects.toThrow('Command timed out');
    await expect(third).rejects.toThrow('Command timed out');
    expect(await first).toBe('r1');
    const fourth = call(4);
    await settle();
    calls[2]!.answer();
    expect(await fourth).toBe('r4');
  });

  it('fails every item of a call answered with the wrong number of verdicts, and later calls still go', async () => {
    const short = (items: number[]) => Promise.resolve(items.slice(1).map((i) => `r${i}`));
    const call = batchCalls(short, { betsMax: 8, callsInFlightMax: 1 });
    const [a, b] = [call(1), call(2)];
    await expect(a).rejects.toThrow('admission answered 1 verdicts for 2 bets');
    await expect(b).rejects.toThrow('admission answered 1 verdicts for 2 bets');
  });
});
