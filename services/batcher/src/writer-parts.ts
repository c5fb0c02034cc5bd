/**
 * The writer's parts (prepared statements) for the current segment: rebuilt once after each
 * roll-over switches segments, so the batch cycle always writes the segment that is current. The
 * ledger writer is the segment's one (from WriterSegments: the roll-over's carry shares its chain
 * head), and while a roll-over carries, the bet store carries a bet's owner before touching it.
 */
import { createBatchApplier } from './apply/apply-batch.js';
import type { BetRules } from './apply/bet-bounds.js';
import { carryingBets } from './rollover/carry.js';
import type { WriterSegments } from './rollover/writer-segments.js';
import { type BetStore, createBetStore } from './storage/bet-store.js';
import type { LedgerWriter } from './storage/ledger-writer.js';
import { createOperatorLog } from './storage/operator-log.js';
import { createOutbox, type Outbox } from './storage/outbox.js';
import type { OpenSegment } from './storage/segment.js';

export interface WriterParts {
  segment: OpenSegment;
  ledger: LedgerWriter;
  bets: BetStore;
  outbox: Outbox;
  applier: ReturnType<typeof createBatchApplier>;
}

export type CurrentParts = () => WriterParts;

/** `operatorKeyHex`: OPERATOR_MAC_KEY, which authenticates adjustments and operator actions. */
export function currentParts(
  segments: WriterSegments,
  betRules: BetRules,
  operatorKeyHex: string,
): CurrentParts {
  let parts: WriterParts | undefined;
  return () => {
    const segment = segments.current();
    if (parts?.segment !== segment) {
      const [ledger, bets, outbox] = [
        segments.ledger(),
        carryingBets(createBetStore(segment.db), () => segments.carrier()),
        createOutbox(segment.db),
      ];
      parts = {
        segment,
        ledger,
        bets,
        outbox,
        applier: createBatchApplier(segment.db, {
          ...{ ledger, bets, outbox, betRules, operators: createOperatorLog(segment.db) },
          operatorKeyHex,
        }),
      };
    }
    return parts;
  };
}
