/**
 * Who is acting and how their entries are signed: every entry tapctl writes to a stream the
 * batcher consumes carries the operator's name, the reason and the time, and an HMAC with the
 * operator key (packages/domain operator-mac.ts); the batcher dead-letters anything else.
 */
import { userInfo } from 'node:os';
import { type AdjustmentEntry, type OperatorEntry, signOperatorEntry } from '@tap/domain';
import { usageError } from './cli-error.js';
import type { Config } from './config.js';

export interface Operator {
  name: string;
  signAdjustment(fields: Omit<AdjustmentEntry, 'mac'>): AdjustmentEntry;
  signAction(fields: Omit<OperatorEntry, 'mac'>): OperatorEntry;
}

const REASON_CHARS_MAX = 200;

export function operatorOf(config: Config): Operator {
  const key = config.OPERATOR_MAC_KEY;
  if (key === undefined) {
    throw usageError(
      'OPERATOR_MAC_KEY is not set: source /etc/tap/operator.env (root only) to act as an operator',
    );
  }
  const name = config.TAP_OPERATOR ?? osUser();
  return {
    name,
    signAdjustment: (fields) => signOperatorEntry<AdjustmentEntry>('adjustments', fields, key),
    signAction: (fields) => signOperatorEntry<OperatorEntry>('operator', fields, key),
  };
}

/** The OS user, restricted to the characters an operator name allows. */
function osUser(): string {
  const name = userInfo()
    .username.replace(/[^A-Za-z0-9_.@-]/g, '_')
    .slice(0, 64);
  if (name.length === 0) throw usageError('cannot tell who you are: set TAP_OPERATOR');
  return name;
}

/** `--reason`: required, trimmed, 1 to 200 characters. */
export function parseReason(text: string | undefined): string {
  const reason = (text ?? '').trim();
  if (reason.length === 0 || reason.length > REASON_CHARS_MAX) {
    throw usageError(`--reason must be 1 to ${REASON_CHARS_MAX} characters`);
  }
  return reason;
}
