/**
 * Builds the web client into static files (dist/) for nginx: hashed asset names under /assets/
 * (nginx caches them for a year), no inline scripts (the CSP allows only 'self'). `pnpm dev`
 * proxies /v1 to a local stack (scripts/stack.mjs: ingest-api :8080, ws-gateway :8081).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    // Inline nothing as data: URLs, so img-src/font-src stay 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/v1/ws': { target: 'ws://127.0.0.1:8081', ws: true },
      '/v1': 'http://127.0.0.1:8080',
    },
  },
});
