/**
 * The one tsup configuration every service uses: `src/main.ts` → a standalone ESM bundle
 * `dist/main.js` with the workspace packages and pure-JS dependencies inlined. Native addons stay
 * external (they load a compiled .node file) and are the only runtime dependencies a deployable
 * folder needs (`scripts/deploy.sh`).
 */
import { defineConfig } from 'tsup';

export const NATIVE_ADDONS = ['better-sqlite3', 'uWebSockets.js', 'zstd-napi', 'secp256k1'];
const bundledUnlessNative = new RegExp(
  `^(?!(${NATIVE_ADDONS.map((n) => n.replace('.', '\\.')).join('|')})(/|$))`,
);

export function serviceBundle() {
  return defineConfig({
    entry: ['src/main.ts'],
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outDir: 'dist',
    clean: true,
    sourcemap: true,
    splitting: false,
    noExternal: [bundledUnlessNative],
    external: NATIVE_ADDONS,
    // Bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __tapCreateRequire } from 'node:module'; const require = __tapCreateRequire(import.meta.url);",
    },
  });
}
