/**
 * When a segment began, from its name alone (restore plans before downloading anything): an ISO
 * week (`2026-W48`) through @tap/domain's scheme, a fixed test period from the UTC start its name
 * spells (`2026-12-06T19-08-30-000Z`). When it ended is recorded in the manifest (the segment's
 * meta `period_end_ms`), since a fixed period's length is configuration, not part of the name.
 */
import { isoWeekScheme } from '@tap/domain';

export function segmentStartMs(name: string): number | null {
  const week = isoWeekScheme.ofName(name);
  if (week) return week.startMs;
  const fixed = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/.exec(name);
  return fixed ? Date.parse(`${fixed[1]}T${fixed[2]}:${fixed[3]}:${fixed[4]}.${fixed[5]}Z`) : null;
}

/** The end of an ISO week segment; null for other names (their end comes from the manifest). */
export function isoWeekEndMs(name: string): number | null {
  return isoWeekScheme.ofName(name)?.endMs ?? null;
}
