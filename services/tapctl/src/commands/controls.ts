/**
 * `halt` / `resume` trading and `freeze` / `unfreeze` a wallet. Each is one Lua script that changes
 * the control key and appends the signed, audited OperatorEntry to `tap:operator` atomically, so
 * there is never a control change without its audit entry (the batcher records it in the segment's
 * `operator_actions`). A halt is `keys.manualHalt`: health-monitor opens the breaker while it exists
 * (reason `manual_halt`), so clients, ingest-api and ws-gateway see it exactly like an automatic
 * one. A freeze is `keys.frozen(user)`: admission refuses the wallet's bets (`wallet_frozen`) and
 * `debit --kind withdrawal` its withdrawals. Repeating an action that is already in force changes
 * nothing and says so (status `unchanged`, exit 0).
 */
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import type { OperatorAction } from '@tap/domain';
import { ulid } from 'ulid';
import { usageError } from '../cli-error.js';
import { parseAddress } from '../input/address.js';
import { operatorOf, parseReason } from '../operator.js';
import { emit, fields } from '../output.js';
import { connectRedis } from '../storage/redis.js';
import type { CommandContext } from './context.js';

/** KEYS: control key, operator stream. ARGV: 'set' | 'del', entry JSON, value to set. */
const CONTROL_LUA = `
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == 'del' then
  if not exists then return {'unchanged', ''} end
  redis.call('DEL', KEYS[1])
else
  if exists then return {'unchanged', redis.call('GET', KEYS[1])} end
  redis.call('SET', KEYS[1], ARGV[3])
end
return {'applied', redis.call('XADD', KEYS[2], '*', 'd', ARGV[2])}
`;

type Control = Extract<OperatorAction, 'halt' | 'resume' | 'freeze' | 'unfreeze'>;

const CONTROLS: Record<Control, { mode: 'set' | 'del'; key: (c: Channels, target: string) => string }> = {
  halt: { mode: 'set', key: (c) => c.keys.manualHalt },
  resume: { mode: 'del', key: (c) => c.keys.manualHalt },
  freeze: { mode: 'set', key: (c, user) => c.keys.frozen(user) },
  unfreeze: { mode: 'del', key: (c, user) => c.keys.frozen(user) },
};

export async function control(
  ctx: CommandContext,
  action: Control,
  addressText: string | undefined,
  options: { reason?: string },
): Promise<void> {
  let target = '';
  if (action === 'freeze' || action === 'unfreeze') {
    const address = parseAddress(addressText ?? '');
    if (!address.ok) throw usageError(address.message);
    target = address.userId;
  }
  const reason = parseReason(options.reason);
  const operator = operatorOf(ctx.config);
  const nowMs = Date.now();
  const entry = operator.signAction({
    actionId: ulid(nowMs),
    action,
    target,
    reason,
    operator: operator.name,
    requestedAt: nowMs,
  });
  const state = JSON.stringify({ operator: operator.name, reason, since: nowMs, actionId: entry.actionId });
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const { mode, key } = CONTROLS[action];
  const redis = await connectRedis(ctx.config);
  try {
    const [status, detail] = (await redis.eval(
      CONTROL_LUA,
      2,
      key(channels, target),
      channels.streams.operator,
      mode,
      encodeEntry('operator', entry)[1],
      state,
    )) as [string, string];
    const result =
      status === 'applied'
        ? {
            status,
            action,
            target,
            actionId: entry.actionId,
            entryId: detail,
            operator: operator.name,
            reason,
          }
        : { status, action, target, inForce: detail === '' ? null : (JSON.parse(detail) as unknown) };
    emit(ctx.out, result, () =>
      fields([
        ['status', status === 'applied' ? `${action} applied` : `unchanged: ${describe(action)}`],
        ...(target ? [['wallet', target] as [string, string]] : []),
        ...(status === 'applied'
          ? ([
              ['operator', operator.name],
              ['reason', reason],
              ['audit entry', detail],
            ] as [string, string][])
          : detail
            ? [['in force', detail] as [string, string]]
            : []),
      ]),
    );
  } finally {
    redis.disconnect();
  }
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
  }
}
