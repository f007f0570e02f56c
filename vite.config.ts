import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CSP } from './src/csp.ts';

/**
 * The Content-Security-Policy of src/csp.ts as the <meta> tag of index.html (the only way to carry it on a host
 * that sends no headers); the build stops when public/_headers no longer says the same.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'crm-notebook:csp',
    buildStart() {
      const headers = readFileSync(fileURLToPath(new URL('./public/_headers', import.meta.url)), 'utf8');
      if (!headers.split('\n').some((line) => line.trim() === `Content-Security-Policy: ${CSP}`)) {
        this.error('public/_headers does not carry the Content-Security-Policy of src/csp.ts: copy the policy there');
      }
    },
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
  };
}

// The same policy as a header: unlike the <meta> tag, a header also reaches workers loaded from their own URL.
const headers = { 'Content-Security-Policy': CSP };

export default defineConfig({
  plugins: [svelte(), contentSecurityPolicy()],
  resolve: {
    alias: {
      // The blocking browser build is not in the package's exports map.
      '@duckdb/duckdb-wasm/blocking-browser': fileURLToPath(
        new URL('./node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs', import.meta.url),
      ),
    },
  },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { headers },
  preview: { port: 5173, strictPort: true, headers },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: `.test-output/unit-${(process.env.TZ ?? 'local').replace('/', '-')}.json` },
  },
});
