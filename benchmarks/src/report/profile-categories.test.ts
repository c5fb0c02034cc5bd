import { describe, expect, it } from 'vitest';
import { CATEGORY, effectiveCategory, frameCategory, lineCategory } from './profile-categories.js';
import { importsOf } from './profile-files.js';

const frame = (file: string, functionName = 'f', url = `file:///repo/${file}`) => ({
  functionName,
  url,
  file,
  imports: [],
});

describe('frameCategory', () => {
  it('classifies dependencies by their source-mapped file', () => {
    expect(frameCategory(frame('node_modules/.pnpm/ioredis@5/node_modules/ioredis/built/Command.js'))).toBe(
      CATEGORY.redis,
    );
    expect(
      frameCategory(frame('node_modules/.pnpm/redis-parser@3/node_modules/redis-parser/lib/parser.js')),
    ).toBe(CATEGORY.redis);
    expect(frameCategory(frame('node_modules/better-sqlite3/lib/methods/transaction.js'))).toBe(
      CATEGORY.sqlite,
    );
    expect(frameCategory(frame('node_modules/.pnpm/zod@3/node_modules/zod/v3/types.js'))).toBe(CATEGORY.zod);
    expect(frameCategory(frame('packages/pricing/src/quote-cell.ts'))).toBe(CATEGORY.pricing);
    expect(frameCategory(frame('node_modules/prom-client/lib/histogram.js'))).toBe(CATEGORY.telemetry);
  });

  it('tells our code from other code', () => {
    expect(frameCategory(frame('services/batcher/src/apply/apply-batch.ts'))).toBe(CATEGORY.ours);
    expect(frameCategory(frame('packages/channels/src/codec.ts'))).toBe(CATEGORY.ours);
    expect(frameCategory(frame('node_modules/ulid/dist/index.js'))).toBe(CATEGORY.other);
  });

  it("lets Node's JavaScript and native bindings inherit, except crypto", () => {
    expect(frameCategory(frame('node:net', 'Socket._write', 'node:net'))).toBe('inherit');
    expect(frameCategory(frame('', 'writeUtf8String', ''))).toBe('inherit');
    expect(
      frameCategory(frame('node:internal/crypto/random', 'randomFillSync', 'node:internal/crypto/random')),
    ).toBe(CATEGORY.crypto);
    expect(effectiveCategory('inherit', CATEGORY.redis)).toBe(CATEGORY.redis);
    expect(effectiveCategory('inherit', null)).toBe(CATEGORY.node);
  });

  it("names V8's pseudo frames", () => {
    expect(frameCategory(frame('', '(garbage collector)', ''))).toBe(CATEGORY.gc);
    expect(frameCategory(frame('', '(program)', ''))).toBe(CATEGORY.program);
  });
});

describe('lineCategory', () => {
  it('charges JSON calls to JSON wherever they are', () => {
    expect(lineCategory('return JSON.stringify({ ...event, id });', [])).toBe(CATEGORY.json);
    expect(lineCategory('json = JSON.parse(raw);', [])).toBe(CATEGORY.json);
  });

  it('charges statement calls to SQLite only in a module importing better-sqlite3', () => {
    expect(lineCategory('insert.run(row.id, userId);', ['better-sqlite3'])).toBe(CATEGORY.sqlite);
    expect(lineCategory('const v = this.cache.get(token);', ['node:crypto'])).toBeNull();
  });

  it('charges uWS method calls to uWS only in a module importing uWS', () => {
    expect(lineCategory('app.publish(topic, message, false);', ['uWebSockets.js'])).toBe(CATEGORY.uws);
    expect(lineCategory('call.res.cork(() => {', ['@tap/uws'])).toBe(CATEGORY.uws);
    expect(lineCategory('stream.end();', ['node:stream'])).toBeNull();
  });
});

describe('importsOf', () => {
  it('lists static imports, type-only ones included', () => {
    const code = [
      "import Database from 'better-sqlite3';",
      "import type { HttpResponse } from '@tap/uws';",
      "import { a,\n  b } from './x.js';",
      "import 'node:process';",
      "const s = 'import nothing';",
    ].join('\n');
    expect(importsOf(code)).toEqual(['better-sqlite3', '@tap/uws', './x.js', 'node:process']);
  });
});
