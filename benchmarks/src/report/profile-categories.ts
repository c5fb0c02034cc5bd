/**
 * Sorts a daemon's CPU-profile self time into categories a reader can act on (SQLite, the Redis
 * client, uWS, JSON, …). How a frame is classified, first rule that matches:
 *
 * 1. V8's pseudo frames: `(garbage collector)` and `(program)` (native code with no JS frame on the
 *    stack: uWS parsing HTTP and WebSocket frames, libuv, the compiler). `(idle)` never gets here.
 * 2. Its source file — the original file behind the bundled `dist/main.js`, found through the
 *    bundle's source map (tsup writes one) — against the library rules below.
 * 3. Node's own JavaScript (`node:…`) and native bindings (no url, e.g. `writeUtf8String`) take the
 *    category of their nearest classified caller: a socket write under ioredis is the Redis client.
 * 4. `services/` and `packages/` are our code — except that calls into native addons and JSON never
 *    get a frame of their own (V8 charges them to the calling line), so a line of our code that
 *    calls `JSON.parse`/`JSON.stringify`, a better-sqlite3 statement method (in a module importing
 *    better-sqlite3) or a uWS method (in a module importing uWS) is charged to that category, by
 *    the line ticks V8 records per function.
 * 5. Anything else is `other`.
 */

export const CATEGORY = {
  sqlite: 'SQLite (better-sqlite3 native)',
  redis: 'Redis client (ioredis, incl. RESP parsing)',
  uws: 'uWS (native)',
  json: 'JSON parse/stringify',
  zod: 'zod validation',
  crypto: 'crypto (sha256, random)',
  pricing: 'pricing',
  telemetry: 'logs and metrics (pino, prom-client)',
  gc: 'garbage collector',
  program: 'native, no JS frame ((program))',
  node: 'Node.js core (event loop, streams, timers)',
  ours: 'our code (services/, packages/)',
  other: 'other',
} as const;

export type Category = (typeof CATEGORY)[keyof typeof CATEGORY];

/** What classification reads of a frame: its name, its (source-mapped) file and that file's imports. */
export interface FrameFacts {
  functionName: string;
  url: string;
  /** Repository-relative original file, or the url when there is no source map. */
  file: string;
  /** Module specifiers the original file imports. */
  imports: readonly string[];
}

const LIBRARY_RULES: readonly [RegExp, Category][] = [
  [/(^|\/)better-sqlite3\//, CATEGORY.sqlite],
  [
    /(^|\/)(ioredis|@ioredis\/commands|redis-parser|redis-errors|denque|cluster-key-slot|standard-as-callback)\//,
    CATEGORY.redis,
  ],
  [/(^|\/)(uWebSockets\.js|@trufflesuite\/uws-js-unofficial)\//, CATEGORY.uws],
  [/(^|\/)zod\//, CATEGORY.zod],
  [/^node:internal\/crypto|^node:crypto|(^|\/)@noble\/|(^|\/)@scure\//, CATEGORY.crypto],
  [/^packages\/pricing\//, CATEGORY.pricing],
  [
    /(^|\/)(pino|pino-std-serializers|sonic-boom|thread-stream|@pinojs\/redact|prom-client|tdigest|bintrees)\//,
    CATEGORY.telemetry,
  ],
];

/** A frame's own category, or 'inherit' for Node's JavaScript and native bindings (rule 3). */
export function frameCategory(frame: FrameFacts): Category | 'inherit' {
  if (frame.functionName === '(garbage collector)') return CATEGORY.gc;
  if (frame.functionName === '(program)') return CATEGORY.program;
  for (const [pattern, category] of LIBRARY_RULES) if (pattern.test(frame.file)) return category;
  if (frame.url === '' || frame.url.startsWith('node:')) return 'inherit';
  if (/^(services|packages)\//.test(frame.file)) return CATEGORY.ours;
  return CATEGORY.other;
}

/** Rule 3: an inheriting frame takes its caller's category; at the root, Node core. */
export function effectiveCategory(own: Category | 'inherit', caller: Category | null): Category {
  if (own !== 'inherit') return own;
  return caller ?? CATEGORY.node;
}

const SQLITE_CALL = /\.(run|get|all|iterate|pluck|raw|exec|pragma|prepare)\(/;
const UWS_CALL =
  /\.(cork|end|tryEnd|write|writeStatus|writeHeader|publish|send|getBufferedAmount|subscribe|unsubscribe|close|getHeader|getParameter|getUrl|getMethod|getQuery|onData|onAborted|onWritable|upgrade)\(/;

/** Rule 4: the category a line of our code is charged to, or null when it stays ours. */
export function lineCategory(code: string, imports: readonly string[]): Category | null {
  if (/\bJSON\.(parse|stringify)\(/.test(code)) return CATEGORY.json;
  if (imports.includes('better-sqlite3') && SQLITE_CALL.test(code)) return CATEGORY.sqlite;
  if (imports.some((i) => i === 'uWebSockets.js' || i === '@tap/uws') && UWS_CALL.test(code)) {
    return CATEGORY.uws;
  }
  return null;
}
