/** Time-sortable bet ids in ULID format (26 Crockford base-32 chars) for servers and pre-filled streams. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i += 1) {
    out = CROCKFORD[Number(rest % 32n)] + out;
    rest /= 32n;
  }
  return out;
}

/** `timeMs` in the time part, `n` in the random part: unique and increasing for increasing n. */
export function sequentialUlid(timeMs: number, n: number): string {
  return base32(BigInt(timeMs), 10) + base32(BigInt(n), 16);
}
