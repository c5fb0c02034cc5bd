/**
 * Opens `count` client sockets `batchSize` at a time (a burst of thousands of handshakes at once
 * makes the gateway and this process refuse some); `open(i)` resolves whether client i connected.
 * The client processes (fan-out, storm) report the counts to their parent.
 */
export async function connectInBatches(
  count: number,
  batchSize: number,
  open: (index: number) => Promise<boolean>,
): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < count; i += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, count - i) }, (_, j) => open(i + j));
    for (const connected of await Promise.all(batch)) {
      if (connected) ok += 1;
      else failed += 1;
    }
  }
  return { ok, failed };
}
