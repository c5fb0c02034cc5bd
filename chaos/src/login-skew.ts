/**
 * Login's ±30 s (SPEC §5, LOGIN_SKEW_MS) while ingest-api's clock is stepped ±5 s (issue 20): a
 * message issued now must still sign in, one issued 40 s ago must be refused `message_expired`, one
 * issued 40 s ahead `message_from_future` — judged by the server's clock, which the step moves by
 * less than the margin. Each probe is a fresh wallet and a real signature.
 */
import { createWallets, signLogins } from '@tap/benchmarks/load/wallets';

const PROBES = [
  { offsetMs: 0, error: undefined },
  { offsetMs: -40_000, error: 'message_expired' },
  { offsetMs: 40_000, error: 'message_from_future' },
] as const;

/**
 * One round of the three probes: how many were answered (a 503 is not an answer about the skew)
 * and what did not answer as expected.
 */
export async function probeLoginSkew(
  apiUrl: string,
  site: { domain: string; uri: string },
): Promise<{ answered: number; problems: string[] }> {
  const problems: string[] = [];
  let answered = 0;
  for (const probe of PROBES) {
    const [login] = await signLogins(createWallets(1), site, probe.offsetMs);
    const res = await fetch(`${apiUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: login!.message, signature: login!.signature }),
    });
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    // A login refused for load is not a skew answer: the next round probes again.
    if (res.status === 503) continue;
    answered += 1;
    const held =
      probe.error === undefined ? res.status === 200 : res.status === 401 && body.error === probe.error;
    if (!held) {
      problems.push(
        `login issued ${probe.offsetMs / 1000} s from now: ${res.status} ${body.error ?? ''}, expected ${probe.error === undefined ? '200' : `401 ${probe.error}`}`,
      );
    }
  }
  return { answered, problems };
}
