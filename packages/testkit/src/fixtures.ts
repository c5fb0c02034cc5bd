/** Typed fixture builders with overrides (STYLE: builders, not copied literals). */
import {
  type AdjustmentEntry,
  type BetEntry,
  type OperatorEntry,
  type PrintEntry,
  type SettlementEntry,
  signOperatorEntry,
} from '@tap/domain';

let sequence = 0;

export const TEST_USER = '0x00000000000000000000000000000000000000aa';

export function aPrint(overrides: Partial<PrintEntry> = {}): PrintEntry {
  sequence += 1;
  return {
    id: sequence,
    t: 1_764_000_000_000 + sequence * 100,
    priceCents: 9_500_000,
    venues: 3,
    sigma: 0.0005,
    simulated: false,
    ...overrides,
  };
}

/**
 * The operator key of every test daemon (testkit's startDaemon sets OPERATOR_MAC_KEY to it): the
 * fixtures below sign with it. Public, so never a production key.
 */
export const TEST_OPERATOR_KEY = '7e57'.repeat(16);

/** A deposit signed with TEST_OPERATOR_KEY; an explicit `mac` override is kept (a forgery). */
export function anAdjustment(overrides: Partial<AdjustmentEntry> = {}): AdjustmentEntry {
  sequence += 1;
  const { mac, ...fields } = {
    adjustmentId: `adj-${sequence}`,
    userId: TEST_USER,
    kind: 'deposit' as const,
    amountMicros: 10_000_000,
    reason: 'test deposit',
    operator: 'test-operator',
    requestedAt: 1_764_000_000_000,
    ...overrides,
  };
  const signed = signOperatorEntry<AdjustmentEntry>('adjustments', fields, TEST_OPERATOR_KEY);
  return mac === undefined ? signed : { ...signed, mac };
}

/** An operator action signed with TEST_OPERATOR_KEY; an explicit `mac` override is kept. */
export function anOperatorEntry(overrides: Partial<OperatorEntry> = {}): OperatorEntry {
  sequence += 1;
  const { mac, ...fields } = {
    actionId: `act-${sequence}`,
    action: 'halt' as const,
    target: '',
    reason: 'test action',
    operator: 'test-operator',
    requestedAt: 1_764_000_000_000,
    ...overrides,
  };
  const signed = signOperatorEntry<OperatorEntry>('operator', fields, TEST_OPERATOR_KEY);
  return mac === undefined ? signed : { ...signed, mac };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i += 1) {
    out = CROCKFORD[Number(rest % 32n)] + out;
    rest /= 32n;
  }
  return out;
}

/** A valid ULID for tests: `timeMs` in its time part, `n` in its "random" part (unique per n). */
export function testUlid(timeMs: number, n: number): string {
  return base32(BigInt(timeMs), 10) + base32(BigInt(n), 16);
}

/** A bet as ingest-api admits it to `tap:bets`: $1 at 2×, in a window 10 s after `placedAt`. */
export function aBet(overrides: Partial<BetEntry> = {}): BetEntry {
  sequence += 1;
  const placedAt = 1_764_000_000_000 + sequence;
  const multiplierBp = overrides.multiplierBp ?? 20_000;
  return {
    betId: testUlid(placedAt, sequence),
    userId: TEST_USER,
    clientBetId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    t0: 1_764_000_010_000,
    p0: 9_500_000,
    windowMs: 5_000,
    bandCents: 1_000,
    stakeMicros: 1_000_000,
    multiplierBp,
    placedAt,
    terms: {
      indexPriceCents: 9_500_400,
      printId: 1,
      sigma: 0.0005,
      tau1Ms: 8_000,
      tau2Ms: 13_000,
      probability: 0.45,
      g: 0.01,
      multiplierBp,
      configVersion: 'test',
    },
    ...overrides,
  };
}

export function aSettlement(
  overrides: Partial<SettlementEntry> & Pick<SettlementEntry, 'betId'>,
): SettlementEntry {
  return {
    outcome: 'won',
    evidence: { printId: 2, t: 1_764_000_011_000, priceCents: 9_500_500 },
    settledAt: 1_764_000_011_050,
    ...overrides,
  };
}

/**
 * A bet placed now, on the window that starts 10–15 s from now: within every bound the batcher
 * re-checks against the entry's append time (lead, horizon, grid), for tests that XADD bets live.
 */
export function aBetPlacedNow(overrides: Partial<BetEntry> = {}): BetEntry {
  const placedAt = Date.now();
  const t0 = Math.ceil((placedAt + 10_000) / 5_000) * 5_000;
  const bet = aBet({ placedAt, t0, ...overrides });
  return { ...bet, betId: overrides.betId ?? testUlid(placedAt, sequence) };
}
