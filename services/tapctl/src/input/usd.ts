/**
 * USD amounts typed by an operator ↔ integer micro-dollars (SPEC §2), exactly: the decimal string
 * is split and its digits are assembled as integers, never through a float. At most 6 decimals (a
 * micro-dollar) and 9 integer digits (far inside the safe-integer range); zero, negatives, signs,
 * exponents, separators and spaces are refused.
 */
const USD_PATTERN = /^(\d{1,9})(?:\.(\d{1,6}))?$/;
const MICROS_PER_USD = 1_000_000;

export type ParsedUsd = { ok: true; micros: number } | { ok: false; code: 'amount_invalid'; message: string };

export function parseUsdMicros(text: string): ParsedUsd {
  const match = USD_PATTERN.exec(text);
  if (!match) {
    return {
      ok: false,
      code: 'amount_invalid',
      message: `"${text}" is not a USD amount: use digits with at most 6 decimals, e.g. 12.5 or 0.000001`,
    };
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  const micros = whole * MICROS_PER_USD + fraction;
  if (micros === 0)
    return { ok: false, code: 'amount_invalid', message: 'the amount must be more than zero' };
  return { ok: true, micros };
}

/** `-12345678` → `-12.345678`: exact, always 6 decimals. */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_USD);
  const fraction = String(abs % MICROS_PER_USD).padStart(6, '0');
  return `${sign}${whole}.${fraction}`;
}
