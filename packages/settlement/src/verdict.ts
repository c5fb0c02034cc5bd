/**
 * What the settlement core decides, and the evidence it stores with each decision (SPEC §4): the
 * deciding print for a win, the window's low/high with its last print for a loss, the reason for a
 * void. Evidence objects are plain JSON so anyone can recompute the result from the index history.
 */
import type { OUTCOMES } from '@tap/domain';

/** A print as the core needs it: id, index time (ms), price (cents) and the venues it was made of. */
export interface PrintRef {
  id: number;
  t: number;
  priceCents: number;
  venues: number;
}

/** A print as the evidence names it: id, index time (ms) and price (cents). */
export type PrintEvidence = Pick<PrintRef, 'id' | 't' | 'priceCents'>;

/** An open bet's cell (SPEC §3): window [t0, t0 + windowMs), band [p0, p0 + bandCents]. */
export interface OpenBet {
  betId: string;
  t0: number;
  p0: number;
  windowMs: number;
  bandCents: number;
}

/**
 * A breaker open interval, as health-monitor records it or as the resolver's own breaker judged it
 * from the prints (same shape): open over [from, to], `to` null while open.
 */
export interface BreakerInterval {
  from: number;
  to: number | null;
  reason: string;
}

export type Outcome = (typeof OUTCOMES)[number];

export type Decision =
  | {
      outcome: 'won';
      evidence: { printId: number; t: number; priceCents: number; low: number; high: number };
    }
  | {
      outcome: 'lost';
      evidence: { low: number; high: number; lastPrint: PrintEvidence; closingPrint: PrintEvidence };
    }
  | { outcome: 'void'; evidence: VoidEvidence };

export type VoidEvidence =
  | { reason: 'breaker_open'; interval: BreakerInterval }
  | {
      reason: 'price_gap';
      gap: { from: PrintEvidence | null; to: PrintEvidence; ms: number | null; maxMs: number };
    }
  | { reason: 'deadline'; deadlineMs: number; lastPrint: PrintEvidence | null };

/** One bet's settlement. `printT` is the time of the print whose processing decided it (null when none did). */
export interface Verdict {
  betId: string;
  decision: Decision;
  printT: number | null;
}

export function refOf(print: PrintEvidence): PrintEvidence {
  return { id: print.id, t: print.t, priceCents: print.priceCents };
}

export function won(print: PrintRef, low: number, high: number): Decision {
  return {
    outcome: 'won',
    evidence: { printId: print.id, t: print.t, priceCents: print.priceCents, low, high },
  };
}

export function lost(low: number, high: number, lastPrint: PrintRef, closingPrint: PrintRef): Decision {
  return {
    outcome: 'lost',
    evidence: { low, high, lastPrint: refOf(lastPrint), closingPrint: refOf(closingPrint) },
  };
}

export function breakerVoid(interval: BreakerInterval): Decision {
  return { outcome: 'void', evidence: { reason: 'breaker_open', interval: { ...interval } } };
}

export function gapVoid(from: PrintRef | null, to: PrintRef, maxMs: number): Decision {
  const ms = from === null ? null : to.t - from.t;
  return {
    outcome: 'void',
    evidence: { reason: 'price_gap', gap: { from: from && refOf(from), to: refOf(to), ms, maxMs } },
  };
}

export function deadlineVoid(deadlineMs: number, lastPrint: PrintRef | null): Decision {
  return {
    outcome: 'void',
    evidence: { reason: 'deadline', deadlineMs, lastPrint: lastPrint && refOf(lastPrint) },
  };
}
