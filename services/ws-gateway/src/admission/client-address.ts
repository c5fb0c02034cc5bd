/**
 * The client's address for the per-IP cap. The gateway listens on loopback behind nginx, so the
 * TCP peer is nginx; nginx overwrites `X-Real-IP` with the client address it resolved (its realip
 * module, nginx/tap.conf). That header is believed only when the peer is one of the trusted proxies
 * (WS_TRUSTED_PROXIES): a client that reaches the port directly, or sends its own X-Real-IP through
 * anything else, is counted by its own peer address and cannot pick someone else's bucket.
 */
import { isIP } from 'node:net';

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

export function normalizeAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  return V4_MAPPED.exec(trimmed)?.[1] ?? trimmed;
}

export function clientAddress(
  peer: string,
  realIpHeader: string,
  trustedProxies: ReadonlySet<string>,
): string {
  const from = normalizeAddress(peer);
  if (!trustedProxies.has(from)) return from;
  const claimed = normalizeAddress(realIpHeader);
  return isIP(claimed) === 0 ? from : claimed;
}

/** `WS_TRUSTED_PROXIES`: comma-separated addresses; false names the first that is not an address. */
export function parseTrustedProxies(
  list: string,
): { ok: true; set: Set<string> } | { ok: false; bad: string } {
  const set = new Set<string>();
  for (const item of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const address = normalizeAddress(item);
    if (isIP(address) === 0) return { ok: false, bad: item };
    set.add(address);
  }
  return { ok: true, set };
}
