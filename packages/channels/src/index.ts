export { type Channels, createChannels, DEFAULT_PREFIX } from './channels.js';
export {
  type Decoded,
  decodeEntry,
  ENTRY_SCHEMAS,
  type EntryOf,
  encodeEntry,
  entryJson,
  type StreamKind,
} from './codec.js';
