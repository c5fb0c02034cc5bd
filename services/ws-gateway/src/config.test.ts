import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('ws-gateway loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toMatchObject({
      ok: true,
      config: {
        WS_HOST: '127.0.0.1',
        WS_PORT: 8081,
        WS_AUTH_TIMEOUT_MS: 5_000,
        WS_SEND_BUFFER_BYTES_MAX: 1_048_576,
        WS_IDLE_TIMEOUT_S: 60,
        WS_READ_BLOCK_MS: 1_000,
        WS_READ_COUNT_MAX: 1_000,
        WS_RESUME_WINDOW_MS: 120_000,
        WS_RESUME_EVENTS_MAX: 200_000,
        WS_REPLAY_EVENTS_MAX: 1_000,
        WS_RESUMES_PER_S: 1,
        WS_RESUME_BURST: 5,
        WS_UPGRADES_PER_IP_PER_S: 10,
        WS_UPGRADE_BURST: 40,
        WS_CONNECTIONS_MAX: 20_000,
        WS_CONNECTIONS_PER_IP_MAX: 100,
        WS_SOCKETS_PER_SESSION_MAX: 5,
        WS_MESSAGES_PER_S: 10,
        WS_AUTH_LOOKUPS_MAX: 1_000,
        WS_TRUSTED_PROXIES: '127.0.0.1,::1',
        WS_SESSION_RECHECK_MS: 30_000,
        WS_BREAKER_STALE_MS: 5_000,
        WS_BREAKER_POLL_MS: 1_000,
      },
    });
  });

  it('reads overrides as integers', () => {
    const result = loadConfig({ WS_PORT: '18081', WS_SEND_BUFFER_BYTES_MAX: '65536' });
    expect(result).toMatchObject({ ok: true, config: { WS_PORT: 18_081, WS_SEND_BUFFER_BYTES_MAX: 65_536 } });
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      WS_PORT: 'eighty',
      WS_AUTH_TIMEOUT_MS: '10',
      WS_SEND_BUFFER_BYTES_MAX: '1',
      WS_IDLE_TIMEOUT_S: '1000',
      WS_READ_BLOCK_MS: '5000',
      WS_READ_COUNT_MAX: '0',
      WS_BREAKER_STALE_MS: '-1',
      WS_CONNECTIONS_PER_IP_MAX: '0',
      WS_TRUSTED_PROXIES: '127.0.0.1,nginx.local',
      REDIS_URL: 'http://example',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? '' : result.problems.join('\n');
    for (const variable of [
      'WS_PORT',
      'WS_AUTH_TIMEOUT_MS',
      'WS_SEND_BUFFER_BYTES_MAX',
      'WS_IDLE_TIMEOUT_S',
      'WS_READ_BLOCK_MS',
      'WS_READ_COUNT_MAX',
      'WS_BREAKER_STALE_MS',
      'WS_CONNECTIONS_PER_IP_MAX',
      'WS_TRUSTED_PROXIES',
      'REDIS_URL',
    ]) {
      expect(problems).toContain(variable);
    }
  });
});
