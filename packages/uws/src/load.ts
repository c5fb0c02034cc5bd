/**
 * The one place that loads uWebSockets.js, so production can switch from the npm build
 * (`@trufflesuite/uws-js-unofficial`, aliased as `uWebSockets.js`) to the official release by
 * changing one dependency line.
 *
 * That build silently falls back to a slow pure-JS emulation when it has no binary for this Node
 * (or when UWS_USE_FALLBACK is set). A trading front end on the emulation would miss every latency
 * target, so `loadUws` refuses it: it checks that `App` is a native function.
 */

import type * as UwsModule from 'uWebSockets.js';
import { createRequire } from 'node:module';

export type Uws = typeof UwsModule;
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from 'uWebSockets.js';

export class UwsUnavailableError extends Error {
  override name = 'UwsUnavailableError';
}

export function loadUws(): Uws {
  const fallbackFlag = process.env.UWS_USE_FALLBACK;
  if (fallbackFlag && !['', '0', 'false'].includes(fallbackFlag.toLowerCase())) {
    throw new UwsUnavailableError(
      'UWS_USE_FALLBACK is set; refusing the pure-JS emulation of uWebSockets.js',
    );
  }
  const require = createRequire(import.meta.url);
  return assertNativeUws(require('uWebSockets.js') as Uws);
}

/** Returns the module if it is the native build, throws UwsUnavailableError on the JS emulation. */
export function assertNativeUws(uws: Uws): Uws {
  if (!isNativeFunction(uws.App)) {
    throw new UwsUnavailableError(
      `uWebSockets.js has no native binary for Node ${process.version} (ABI ${process.versions.modules}) on ` +
        `${process.platform}-${process.arch}; refusing the slow pure-JS fallback`,
    );
  }
  return uws;
}

function isNativeFunction(fn: unknown): boolean {
  return typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');
}
