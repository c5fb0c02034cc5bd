/**
 * Venue prices → integer cents without a float ever touching the value (SPEC §2: prices are
 * integer cents). Venues send decimal strings ("97123.45000000"); Kraken v2 sends JSON numbers,
 * which we first turn back into their shortest decimal text (exact for any price with ≤ 15
 * significant digits, i.e. every BTC price). Digits beyond the cent round half-up. Anything that is
 * not a plain positive decimal (signs, exponents, empty, > 13 integer digits) is refused.
 */

const DECIMAL = /^(\d{1,13})(?:\.(\d+))?$/;

/** Positive price in integer cents, or null when the text is not a plain positive decimal. */
export function decimalToCents(text: string): number | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  const roundUp = fraction.length > 2 && fraction.charCodeAt(2) >= 53; // '5'
  const result = cents + (roundUp ? 1 : 0);
  return result > 0 ? result : null;
}

/** A price field as sent on the wire: a decimal string, or (Kraken) a JSON number. */
export function priceFieldToCents(value: unknown): number | null {
  if (typeof value === 'string') return decimalToCents(value);
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return decimalToCents(String(value));
  return null;
}
