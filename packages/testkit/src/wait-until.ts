/**
 * Polls a condition until it holds or the time is up, and says which (no throw: the caller decides
 * whether a timeout is a failure, a fallback or a row in a report). A check that throws counts as
 * "not yet" — a server that is still starting refuses connections.
 */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}
