/**
 * Several bets per admission call (issue 19): bets arriving while calls are in flight wait and go
 * together in the next call, so the script's per-call cost (the round trip, EVALSHA's set-up, the
 * client's encoding) is shared. There is no timer: while fewer than `callsInFlightMax` calls are
 * in flight a bet is sent at once (with whatever else is waiting, up to `betsMax`), so an idle API
 * adds no latency and a busy one batches by itself — the window is the call ahead of it.
 *
 * A call that fails fails every bet in it with the same error: the caller answers each as it
 * answered a single bet (a Redis timeout or outage → 503 store_unavailable, outcome unknown, the
 * client retries with its clientBetId; a refused write → 503 service_busy). Each bet's own verdict
 * comes from the script's answer at its position.
 */
import assert from 'node:assert/strict';

export interface AdmissionBatching {
  /** Bets in one script call at most. */
  betsMax: number;
  /** Calls in flight at once; more bets wait for one to return. */
  callsInFlightMax: number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/** Wraps `send` (one call for a batch, answers in order) into one call per item. */
export function batchCalls<T, R>(
  send: (items: T[]) => Promise<R[]>,
  { betsMax, callsInFlightMax }: AdmissionBatching,
): (item: T) => Promise<R> {
  assert.ok(betsMax >= 1 && callsInFlightMax >= 1);
  let waiting: Waiting<T, R>[] = [];
  let inFlight = 0;
  const flush = () => {
    while (inFlight < callsInFlightMax && waiting.length > 0) {
      const batch = waiting.slice(0, betsMax);
      waiting = waiting.slice(batch.length);
      inFlight += 1;
      send(batch.map((w) => w.item))
        .then(
          (results) => {
            // A miscounted answer cannot be matched to bets: fail them all (503, outcome unknown)
            // rather than throw here, which would leave every bet of the batch unanswered.
            if (results.length !== batch.length) {
              const err = new Error(`admission answered ${results.length} verdicts for ${batch.length} bets`);
              for (const w of batch) w.reject(err);
              return;
            }
            for (const [i, w] of batch.entries()) w.resolve(results[i]!);
          },
          (err: unknown) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          inFlight -= 1;
          flush();
        });
    }
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      flush();
    });
}
