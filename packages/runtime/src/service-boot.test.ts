import { describe, expect, it } from 'vitest';
import { bootService } from './service-boot.js';

describe('bootService', () => {
  const parsed = { ok: true as const, config: { LOG_LEVEL: 'warn', MODE: 'archive' } };

  it('names the logger and the registry for the service, at the configured level', async () => {
    const { config, log, registry } = bootService('tap-test', parsed);
    expect(config).toBe(parsed.config);
    expect(log.level).toBe('warn');
    expect(log.bindings()).toMatchObject({ service: 'tap-test' });
    expect(await registry.metrics()).toContain('service="tap-test"');
  });

  it('leaves process metrics off when the config says so', async () => {
    const { registry } = bootService('tap-test', parsed, { processMetrics: (c) => c.MODE === 'restores' });
    expect(await registry.metrics()).not.toContain('process_cpu_user_seconds_total');
    const { registry: daemon } = bootService('tap-test', parsed, { processMetrics: true });
    expect(await daemon.metrics()).toContain('process_cpu_user_seconds_total');
  });
});
