/**
 * A refusal, rejection or void reason in words. API codes take the server's own message
 * (`@tap/domain/error-codes`, the same text the HTTP body carries); void reasons are the
 * resolver's evidence codes (SPEC §4).
 */
import { ERROR_CODES } from '@tap/domain/error-codes';

const VOID_REASONS: Record<string, string> = {
  breaker_open: 'the price feed was unhealthy during the window; your stake is returned',
  price_gap: 'prints were missing for over a second in the window; your stake is returned',
  deadline: 'the bet could not be settled in time; your stake is returned',
  network_error: 'the request did not reach the server; check your connection',
};

export function describeReason(code: string | null): string {
  if (!code) return '';
  const known = (ERROR_CODES as Record<string, { message: string } | undefined>)[code];
  return known?.message ?? VOID_REASONS[code] ?? code.replaceAll('_', ' ');
}
