/** Stores an index print (`tap:prices`) in `index_prints`, the settlement evidence (SPEC §9). */
import type { PrintEntry } from '@tap/domain';
import { type ApplyContext, applied, DUPLICATE, type Verdict } from './verdict.js';

export function applyPrint(ctx: ApplyContext, print: PrintEntry): Verdict {
  return ctx.bets.insertPrint(print) ? applied([]) : DUPLICATE;
}
