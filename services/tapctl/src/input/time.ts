/** `--from` / `--to` values: milliseconds since the epoch, or an ISO-8601 date or date-time. */
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseTimeMs(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!ISO_PATTERN.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
