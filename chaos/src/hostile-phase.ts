/**
 * The hostile-HTTP phase of a chaos run: the catalogue of hostile-http.ts straight at ingest-api's
 * uWS port and through the project's nginx config (testkit's startNginx), with the resolver paused
 * so nothing legitimate moves money meanwhile; then the verdicts: every request 4xx or closed, the
 * daemon up with the same PID, Redis and SQLite unchanged.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScenarioContext, ScenarioOutcome } from '@tap/benchmarks/scenario';
import { fail } from '@tap/benchmarks/scenario';
import { startNginx } from '@tap/testkit/standalone';
import { type ChaosStack, drainAll, type FaultRow } from './chaos-run.js';
import { attack, changes, type HostileRow, hostileTable, snapshotState } from './hostile-http.js';

export async function runHostilePhase(
  ctx: ScenarioContext,
  chaos: ChaosStack,
  outcome: ScenarioOutcome,
  slowMs: number,
): Promise<FaultRow> {
  const { stack } = chaos.bets;
  const apiPort = Number(new URL(stack.apiUrl).port);
  const wsPort = Number(new URL(stack.wsUrl).port);
  const nginx = await startNginx({ apiPort, wsPort });
  const token = chaos.bets.sessions[0]!.token;
  stack.signal('resolver', 'SIGSTOP');
  try {
    await drainAll(chaos, 30_000);
    const pidBefore = stack.pids()['ingest-api'];
    const before = await snapshotState(stack);
    const probe = async () => {
      const began = performance.now();
      const healthy = await stack.healthy('ingest-api');
      return healthy && performance.now() - began < 2_000;
    };
    ctx.log('hostile HTTP straight at uWS');
    const rows: HostileRow[] = await attack({ name: 'uWS (direct)', port: apiPort }, token, slowMs, probe);
    ctx.log('hostile HTTP through nginx');
    rows.push(...(await attack({ name: 'nginx', port: nginx.port }, token, slowMs, probe)));
    await sleep(500); // let anything a request might have started land before comparing
    const after = await snapshotState(stack);
    const pidAfter = stack.pids()['ingest-api'];
    const up = pidAfter === pidBefore && (await stack.healthy('ingest-api'));
    const changed = changes(before, after);
    const failed = rows.filter((r) => !r.ok);
    for (const r of failed) fail(outcome, `hostile HTTP: ${r.target} ${r.request} → ${r.outcome}`);
    if (!up) fail(outcome, 'hostile HTTP: ingest-api went down or restarted');
    if (changed.length) fail(outcome, `hostile HTTP changed state: ${changed.join(', ')}`);
    const state = Object.entries(after.values).map(([k, v]) => `${k} ${v}`);
    outcome.tables.push(
      hostileTable('Hostile HTTP: each request and its answer', rows, [
        `ingest-api ${up ? 'stayed up (same PID, healthy)' : 'DID NOT stay up'}.`,
        changed.length
          ? `State CHANGED: ${changed.join(', ')}.`
          : `State unchanged (no new idempotency, session, nonce, pending, rate-limit or balance key): ${state.join(', ')}.`,
        '"No answer before the deadline": uWS keeps waiting for the rest of the request (it closes idle connections after 10 s); nothing was applied.',
      ]),
    );
    return {
      fault: 'hostile HTTP (direct + nginx)',
      injections: rows.length,
      offered: 0,
      accepted: 0,
      lost: 0,
      doubled: 0,
      maxRecoveryMs: null,
      audit: failed.length === 0 && up && changed.length === 0 ? 'pass' : 'FAIL',
      answers: `${rows.length - failed.length} of ${rows.length} requests 4xx or closed; state ${changed.length ? 'CHANGED' : 'unchanged'}`,
    };
  } finally {
    stack.signal('resolver', 'SIGCONT');
    await nginx.stop();
  }
}
