import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assertNativeUws, loadUws, type Uws, UwsUnavailableError } from './load.js';

describe('loadUws', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('loads the native uWebSockets.js binary on this Node', () => {
    const uws = loadUws();
    expect(Function.prototype.toString.call(uws.App)).toContain('[native code]');
  });

  it('refuses the pure-JS emulation the package falls back to', () => {
    const require = createRequire(import.meta.url);
    const emulation = require('uWebSockets.js/dist/index.js') as Uws;
    expect(() => assertNativeUws(emulation)).toThrow(UwsUnavailableError);
  });

  it('refuses to start when UWS_USE_FALLBACK asks for the emulation', () => {
    vi.stubEnv('UWS_USE_FALLBACK', 'true');
    expect(() => loadUws()).toThrow(/UWS_USE_FALLBACK/);
  });
});
