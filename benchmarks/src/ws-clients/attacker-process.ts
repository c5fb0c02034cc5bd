/**
 * The attacker's process (started by attacker.ts under `chrt --idle 0`, through the tsx bootstrap
 * load/worker-entry.mjs): runs the hostile resumers and history floods its parent asks for, and
 * answers each request by id over the IPC channel. Threads it starts (the flood's load thread)
 * inherit its scheduling policy. It exits when its parent goes away.
 */
import { runOpenLoop } from '../load/open-loop.js';
import type { FromAttacker, ToAttacker } from './attacker.js';
import { type HostileReport, startHostileResumers } from './hostile-resumers.js';

let hostile: { stop(): Promise<HostileReport> } | undefined;

const reply = (message: FromAttacker) => process.send?.(message);

async function handle(request: ToAttacker): Promise<FromAttacker> {
  switch (request.type) {
    case 'hostile-start':
      if (hostile) throw new Error('hostile resumers already running');
      hostile = startHostileResumers(request.options);
      return { id: request.id, type: 'ok' };
    case 'hostile-stop': {
      if (!hostile) throw new Error('no hostile resumers running');
      const running = hostile;
      hostile = undefined;
      return { id: request.id, type: 'hostile', report: await running.stop() };
    }
    case 'history': {
      const run = await runOpenLoop({ ...request.options });
      return { id: request.id, type: 'history', result: run.result };
    }
  }
}

process.on('message', (request: ToAttacker) => {
  handle(request).then(reply, (err: unknown) =>
    reply({ id: request.id, type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
