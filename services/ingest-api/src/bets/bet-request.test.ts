/**
 * The hand-written check of a bet body against the zod schema it stands in for: on generated valid
 * bodies, on every field mutated, and on arbitrary JSON, both must agree on accept/refuse and on
 * the value down to key order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { betRequestSchema, fastBetRequest, parseBetRequest } from './bet-request.js';

const count = () => fc.oneof(fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER), fc.nat());
const validBody = fc.record({
  clientBetId: fc.uuid(),
  t0: count(),
  p0: count(),
  stakeMicros: count(),
  minMultiplierBp: count(),
});
const oddValue = fc.oneof(
  fc.constantFrom(null, true, -1, 0.5, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, '', '1', [], {}),
  fc.constantFrom('123e4567-e89b-12d3-a456-42661417400g', '123e4567e89b12d3a456426614174000'),
  fc.jsonValue(),
);

function agree(text: string): void {
  const body: unknown = JSON.parse(text);
  const reference = betRequestSchema.safeParse(JSON.parse(text));
  const fast = fastBetRequest(body);
  if (fast !== undefined) {
    expect(reference.success, text).toBe(true);
    expect(JSON.stringify(fast), text).toBe(JSON.stringify(reference.data));
  } else {
    expect(reference.success, text).toBe(false);
  }
  const parsed = parseBetRequest(JSON.parse(text));
  expect(parsed.success, text).toBe(reference.success);
}

describe('fastBetRequest', () => {
  it('accepts every valid body exactly as zod does, in any key order', () => {
    fc.assert(
      fc.property(validBody, fc.boolean(), (body, reverse) => {
        const entries = Object.entries(body);
        agree(JSON.stringify(Object.fromEntries(reverse ? entries.reverse() : entries)));
        expect(fastBetRequest(body)).toEqual(body);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with zod when a field is missing, replaced by another value, or an extra key is added', () => {
    fc.assert(
      fc.property(
        validBody,
        fc.constantFrom('clientBetId', 't0', 'p0', 'stakeMicros', 'minMultiplierBp', 'extra', '__proto__'),
        fc.option(oddValue),
        (body, key, value) => {
          const text = JSON.stringify({ ...body, [key]: value ?? undefined });
          agree(key === '__proto__' ? text.replace('{', '{"__proto__":1,') : text);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('agrees with zod on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => agree(JSON.stringify(value) ?? 'null')),
      { numRuns: 500 },
    );
  });
});
