/**
 * Sequence numbers per connection (reset on reconnect). For top of book a gap loses nothing that
 * matters — the next quote supersedes the missed ones — so it is only counted; a number that does
 * not move forward is a duplicate or a reordered, older update and is dropped.
 */
import type { SequenceMode } from './venue-frame.js';

export type SequenceVerdict = 'in_order' | 'gap' | 'out_of_order';

export function checkSequence(
  mode: SequenceMode,
  last: number | null,
  sequence: number | undefined,
): { verdict: SequenceVerdict; last: number | null } {
  if (mode === 'none' || sequence === undefined || last === null) {
    return { verdict: 'in_order', last: sequence ?? last };
  }
  if (sequence <= last) return { verdict: 'out_of_order', last };
  const verdict = mode === 'contiguous' && sequence > last + 1 ? 'gap' : 'in_order';
  return { verdict, last: sequence };
}
