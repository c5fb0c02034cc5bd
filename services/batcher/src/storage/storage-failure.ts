/**
 * Failures of the disk under the data directory, not of an entry: a full disk (`SQLITE_FULL`,
 * `ENOSPC`) or an I/O error (`SQLITE_IOERR_*`). A batch that hits one is rolled back as a whole and
 * retried as it is — never isolated into dead letters, which would refuse traders' bets for the
 * operator's disk (issue 20: "the batcher stops applying with a clear error and a metric, corrupts
 * nothing, and resumes by itself when space returns").
 */
export function storageFailureCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code.startsWith('SQLITE_IOERR') ? code : undefined;
}
