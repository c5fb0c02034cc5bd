/**
 * A Redis failure as the client should see it (SPEC §6: "any write Redis refuses reaches the client
 * as 503, never 500"). Redis refusing a write for lack of memory (`OOM`, `noeviction`) is
 * `service_busy` — the same answer the memory gate gives before it gets there; a Redis that refuses
 * for any other operational reason (no permission, read-only replica, a failed RDB save, loading,
 * a busy script) or cannot be reached is `service_unavailable`. Anything else (a bug, e.g. a Lua
 * error of our own) stays a 500 `internal`.
 */
import type { ErrorCode } from '@tap/domain';
import { ReplyError } from '@tap/runtime';

const REFUSED = /^(NOPERM|READONLY|MISCONF|BUSY|LOADING|MASTERDOWN|NOAUTH|WRONGPASS|TRYAGAIN|NOREPLICAS)\b/;
// The ACL's refusal of a command a Lua script calls comes back as a plain ERR.
const SCRIPT_REFUSED = /^ERR The user executing the script can't/;
// ioredis's own errors when the connection is gone or its retries are spent.
const UNREACHABLE =
  /^(Connection is closed|Stream isn't writeable|Command timed out|Reached the max retries)/;

export function redisRefusal(
  err: unknown,
): Extract<ErrorCode, 'service_busy' | 'service_unavailable'> | null {
  if (!(err instanceof Error)) return null;
  if (err instanceof ReplyError) {
    if (err.message.startsWith('OOM ')) return 'service_busy';
    return REFUSED.test(err.message) || SCRIPT_REFUSED.test(err.message) ? 'service_unavailable' : null;
  }
  if (err.name === 'MaxRetriesPerRequestError' || UNREACHABLE.test(err.message)) return 'service_unavailable';
  return null;
}
