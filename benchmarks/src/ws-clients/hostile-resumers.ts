/**
 * Hostile WebSocket clients for the `bet-under-abuse` scenario (issue 16, "WebSocket resume
 * amplifies into Redis"): each holds a free session and resumes over and over — connect, `auth`
 * with a `lastEventId`, and as soon as the gateway answers (the replay, a `resync`, or a close for
 * a limit) disconnect and do it again after `pauseMs`, ignoring the backoff an honest client keeps.
 * Half the clients resume from a recent id, half from `0-0` (everything the window still holds for
 * them, or a resync once the window no longer reaches back to the gateway's start).
 * Runs in the attacker's own process at idle priority (attacker.ts), whose CPU is reported apart
 * from the harness's and the daemons'.
 */
import WebSocket from 'ws';

const ATTEMPT_TIMEOUT_MS = 5_000;

export interface HostileReport {
  clients: number;
  /** Resume attempts (auth messages sent) and per second over the run. */
  attempts: number;
  attemptsPerS: number;
  /** How the gateway answered: replayed, resync:<reason>, closed:<code> <reason>, error. */
  outcomes: Record<string, number>;
}

export interface HostileOptions {
  wsUrl: string;
  tokens: readonly string[];
  recentEventId: string;
  pauseMs: number;
}

export function startHostileResumers(options: HostileOptions): { stop(): Promise<HostileReport> } {
  const outcomes: Record<string, number> = {};
  const count = (outcome: string) => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  let attempts = 0;
  let running = true;
  const began = performance.now();

  const attempt = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const ws = new WebSocket(options.wsUrl, { perMessageDeflate: false });
      let answered = false;
      // A gateway that never answers must not hang the scenario: the attempt counts as a timeout.
      const timer = setTimeout(() => answer('timeout'), ATTEMPT_TIMEOUT_MS);
      const answer = (outcome: string) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        count(outcome);
        ws.terminate();
        resolve();
      };
      ws.on('open', () => {
        attempts += 1;
        const lastEventId = index % 2 === 0 ? options.recentEventId : '0-0';
        ws.send(JSON.stringify({ type: 'auth', token: options.tokens[index], lastEventId }));
      });
      ws.on('message', (data) => {
        const text = String(data);
        const resync = /"type":"resync","reason":"([a-z_]+)"/.exec(text);
        if (resync) answer(`resync:${resync[1]}`);
        // The replay (if any) follows the snapshots at once: 5 ms after the breaker snapshot it is done,
        // unless a resync came instead.
        else if (text.startsWith('{"type":"breaker"')) setTimeout(() => answer('replayed'), 5);
      });
      ws.on('close', (code, reason) => answer(`closed:${code} ${String(reason)}`));
      ws.on('error', () => answer('error'));
    });

  const loops = options.tokens.map(async (_, index) => {
    while (running) {
      await attempt(index);
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  });

  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      const elapsedS = (performance.now() - began) / 1_000;
      return {
        clients: options.tokens.length,
        attempts,
        attemptsPerS: Math.round(attempts / elapsedS),
        outcomes,
      };
    },
  };
}
