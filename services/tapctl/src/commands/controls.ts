/**
 * `halt` / `resume` trading and `freeze` / `unfreeze` a wallet. Each is one Lua script that changes
 * the control key and appends the signed, audited OperatorEntry to `tap:operator` atomically, so
 * there is never a control change without its audit entry (the batcher records it in the segment's
 * `operator_actions`). A halt is `keys.manualHalt`: health-monitor opens the breaker while it exists
 * (reason `manual_halt`), so clients, ingest-api and ws-gateway see it exactly like an automatic
 * one. A freeze is `keys.frozen(user)`: admission refuses the wallet's bets (`wallet_frozen`) and
 * `debit --kind withdrawal` its withdrawals. A limit is `keys.walletLimit(user)`: admission caps the
 * wallet's open potential payout at `--open-payout-usd` (`exposure_limit` `user_payout`); the cap is
 * written into the audit entry's reason (an OperatorEntry has no amount). Repeating an action that
 * is already in force changes nothing and says so (status `unchanged`, exit 0): to change a limit,
 * `unlimit` first.
 */
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import { FILL_DELAY_PRINTS_MAX, type OperatorAction, type OperatorEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { ulid } from 'ulid';
import { usageError } from '../cli-error.js';
import { parseAddress } from '../input/address.js';
import { formatMicros, parseUsdMicros } from '../input/usd.js';
import { type Operator, operatorOf, parseReason } from '../operator.js';
import { emit, fields } from '../output.js';
import { connectRedis } from '../storage/redis.js';
import type { CommandContext } from './context.js';

/**
 * KEYS: control key, operator stream, and optionally a marker key. ARGV: 'set' | 'del', entry JSON,
 * value to set, marker value, marker TTL (ms). A marker that exists means "already acted on":
 * nothing changes (the edge monitor's `edge:actioned`, edge.ts); it is set with the control.
 */
const CONTROL_LUA = `
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return {'unchanged', redis.call('GET', KEYS[3]), 'marker'} end
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == 'del' then
  if not exists then return {'unchanged', '', 'control'} end
  redis.call('DEL', KEYS[1])
else
  if exists then return {'unchanged', redis.call('GET', KEYS[1]), 'control'} end
  redis.call('SET', KEYS[1], ARGV[3])
end
if KEYS[3] then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[5]) end
return {'applied', redis.call('XADD', KEYS[2], '*', 'd', ARGV[2]), ''}
`;

export type Control = Extract<
  OperatorAction,
  'halt' | 'resume' | 'freeze' | 'unfreeze' | 'limit' | 'unlimit' | 'delay' | 'undelay'
>;

const CONTROLS: Record<Control, { mode: 'set' | 'del'; key: (c: Channels, target: string) => string }> = {
  halt: { mode: 'set', key: (c) => c.keys.manualHalt },
  resume: { mode: 'del', key: (c) => c.keys.manualHalt },
  freeze: { mode: 'set', key: (c, user) => c.keys.frozen(user) },
  unfreeze: { mode: 'del', key: (c, user) => c.keys.frozen(user) },
  limit: { mode: 'set', key: (c, user) => c.keys.walletLimit(user) },
  unlimit: { mode: 'del', key: (c, user) => c.keys.walletLimit(user) },
  delay: { mode: 'set', key: (c, user) => c.keys.fillDelay(user) },
  undelay: { mode: 'del', key: (c, user) => c.keys.fillDelay(user) },
};

const WALLET_CONTROLS: readonly Control[] = ['freeze', 'unfreeze', 'limit', 'unlimit', 'delay', 'undelay'];

export interface ControlMarker {
  key: string;
  /** The marker's value, given the audit entry's actionId. */
  value: (actionId: string) => string;
  ttlMs: number;
}

export type ControlResult =
  | { status: 'applied'; entry: OperatorEntry; entryId: string }
  /** `by`: the control was already in force, or the marker said it was acted on already. */
  | { status: 'unchanged'; inForce: string; by: 'control' | 'marker' };

/**
 * The one way a control changes: the signed OperatorEntry and the Redis change in one script. The
 * `tapctl` commands and the edge monitor's action (edge.ts) both come through here.
 */
export async function applyControl(
  redis: Redis,
  channels: Channels,
  operator: Operator,
  request: {
    action: Control;
    target: string;
    reason: string;
    nowMs: number;
    /** More fields of the key's JSON value (a limit's `openPayoutMicrosMax`). */
    state?: Record<string, number>;
  },
  marker?: ControlMarker,
): Promise<ControlResult> {
  const { action, target, reason, nowMs } = request;
  const entry = operator.signAction({
    actionId: ulid(nowMs),
    action,
    target,
    reason,
    operator: operator.name,
    requestedAt: nowMs,
  });
  const state = JSON.stringify({
    ...request.state,
    operator: operator.name,
    reason,
    since: nowMs,
    actionId: entry.actionId,
  });
  const { mode, key } = CONTROLS[action];
  const keys = [key(channels, target), channels.streams.operator, ...(marker ? [marker.key] : [])];
  const [status, detail, by] = (await redis.eval(
    CONTROL_LUA,
    keys.length,
    ...keys,
    mode,
    encodeEntry('operator', entry)[1],
    state,
    ...(marker ? [marker.value(entry.actionId), String(marker.ttlMs)] : []),
  )) as [string, string, string];
  return status === 'applied'
    ? { status, entry, entryId: detail }
    : { status: 'unchanged', inForce: detail, by: by === 'marker' ? 'marker' : 'control' };
}

export async function control(
  ctx: CommandContext,
  action: Control,
  addressText: string | undefined,
  options: { reason?: string; openPayoutUsd?: string; prints?: string },
): Promise<void> {
  let target = '';
  if (WALLET_CONTROLS.includes(action)) {
    const address = parseAddress(addressText ?? '');
    if (!address.ok) throw usageError(address.message);
    target = address.userId;
  }
  let reason = parseReason(options.reason);
  let state: Record<string, number> | undefined;
  if (action === 'limit') {
    const cap = parseLimit(options.openPayoutUsd);
    state = { openPayoutMicrosMax: cap.micros };
    reason = withLimit(reason, cap.micros);
  }
  if (action === 'delay') {
    const prints = parseDelay(options.prints);
    state = { prints };
    reason = withDelay(reason, prints);
  }
  const operator = operatorOf(ctx.config);
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    const outcome = await applyControl(redis, channels, operator, {
      action,
      target,
      reason,
      nowMs: Date.now(),
      ...(state ? { state } : {}),
    });
    const result =
      outcome.status === 'applied'
        ? {
            status: outcome.status,
            action,
            target,
            actionId: outcome.entry.actionId,
            entryId: outcome.entryId,
            operator: operator.name,
            reason,
          }
        : {
            status: outcome.status,
            action,
            target,
            inForce: outcome.inForce === '' ? null : (JSON.parse(outcome.inForce) as unknown),
          };
    emit(ctx.out, result, () =>
      fields([
        ['status', outcome.status === 'applied' ? `${action} applied` : `unchanged: ${describe(action)}`],
        ...(target ? [['wallet', target] as [string, string]] : []),
        ...(outcome.status === 'applied'
          ? ([
              ['operator', operator.name],
              ['reason', reason],
              ['audit entry', outcome.entryId],
            ] as [string, string][])
          : outcome.inForce
            ? [['in force', outcome.inForce] as [string, string]]
            : []),
      ]),
    );
  } finally {
    redis.disconnect();
  }
}

/** `--open-payout-usd`: the wallet's cap on open potential payout, USD (0 allowed: no new bets pay). */
function parseLimit(text: string | undefined): { micros: number } {
  if (text === '0') return { micros: 0 };
  const parsed = parseUsdMicros(text ?? '');
  if (!parsed.ok) throw usageError(`--open-payout-usd: ${parsed.message}`);
  return { micros: parsed.micros };
}

/** `--prints`: the wallet's bets are priced at this print after their receipt (2…FILL_DELAY_PRINTS_MAX). */
function parseDelay(text: string | undefined): number {
  const prints = Number(text);
  if (!Number.isInteger(prints) || prints < 2 || prints > FILL_DELAY_PRINTS_MAX) {
    throw usageError(`--prints: an integer from 2 to ${FILL_DELAY_PRINTS_MAX}`);
  }
  return prints;
}

/** The reason with the delay appended, so the audit trail says what was set (≤ 200 characters). */
export function withDelay(reason: string, prints: number): string {
  const suffix = ` (filled at the ${prints}th print after receipt)`;
  return reason.slice(0, 200 - suffix.length) + suffix;
}

/** The reason with the cap appended, so the audit trail says what was set (≤ 200 characters). */
export function withLimit(reason: string, micros: number): string {
  const suffix = ` (open payout ≤ ${formatMicros(micros)} USD)`;
  return reason.slice(0, 200 - suffix.length) + suffix;
}

function describe(action: Control): string {
  switch (action) {
    case 'halt':
      return 'trading is already halted';
    case 'resume':
      return 'trading is not halted by an operator';
    case 'freeze':
      return 'the wallet is already frozen';
    case 'unfreeze':
      return 'the wallet is not frozen';
    case 'limit':
      return 'the wallet already has a lowered limit (unlimit it first to change it)';
    case 'unlimit':
      return 'the wallet has no lowered limit';
    case 'delay':
      return 'the wallet already has a fill delay (undelay it first to change it)';
    case 'undelay':
      return 'the wallet has no fill delay';
  }
}
