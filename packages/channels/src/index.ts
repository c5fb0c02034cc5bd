export {
  type CachePlan,
  type CacheSlot,
  type CacheSourceDb,
  type CacheValue,
  CELL_TTL_AFTER_WINDOW_MS,
  planCache,
  slotName,
  slotOfName,
} from './balance-cache/cache-plan.js';
export { readSlots } from './balance-cache/cache-slots.js';
export { readInFlightBets } from './balance-cache/in-flight.js';
export {
  type Channels,
  createChannels,
  DEFAULT_PREFIX,
  WALLET_FIELDS,
  type WalletCacheField,
} from './channels.js';
export {
  type Decoded,
  decodeEntry,
  ENTRY_SCHEMAS,
  type EntryOf,
  encodeEntry,
  entryJson,
  type StreamKind,
} from './codec.js';
export {
  ackEntries,
  claimAbandoned,
  ensureGroup,
  entriesOfReply,
  type GroupPosition,
  type GroupRead,
  groupPosition,
  idsByStream,
  isBusyGroupError,
  type RawReadReply,
  type RawStreamEntry,
  readGroup,
  type StreamRedis,
} from './stream-group.js';
export {
  compareStreamIds,
  isStreamId,
  maxStreamId,
  nextStreamId,
  streamIdTimeMs,
  ZERO_STREAM_ID,
} from './stream-ids.js';
