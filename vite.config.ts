import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
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

/**
 * main.ts imports the notebook or the share link's view (src/notebook-page.ts, src/link-page.ts) only once it knows
 * which the address asks for. Both scripts and what they import are preloaded from index.html, so that they load
 * beside the entry script rather than after it: preloading fetches a script without running it, so a link's reader
 * still never starts the engine.
 */
function preloadPages(pages: string[]): Plugin {
  let base = '/';
  return {
    name: 'crm-notebook:preload-pages',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const byName = new Map(chunks.map((c) => [c.fileName, c]));
        const files = new Set<string>();
        const add = (name: string) => {
          const chunk = byName.get(name);
          if (!chunk || chunk.isEntry || files.has(name)) return;
          files.add(name);
          chunk.imports.forEach(add);
        };
        for (const page of pages) {
          const chunk = chunks.find((c) => c.facadeModuleId?.endsWith(`/src/${page}`));
          if (chunk) add(chunk.fileName);
        }
        return [...files].map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: base + f }, injectTo: 'head' as const }));
      },
    },
  };
}

// The same policy as a header: unlike the <meta> tag, a header also reaches workers loaded from their own URL.
const headers = { 'Content-Security-Policy': CSP };

export default defineConfig({
  plugins: [
    svelte(),
    contentSecurityPolicy(),
    preloadPages(['link-page.ts', 'notebook-page.ts']),
    // Offline after one visit: the service worker precaches the app, the sample data and the DuckDB bundle that
    // browsers with WebAssembly exceptions use (34 MB, hence the raised size limit); the older MVP bundle is
    // cached when a browser first needs it. A new version waits until the user reloads (one version's files
    // at a time: the old worker keeps serving the old files until then).
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      manifest: {
        name: '客户分析笔记本 · CRM Notebook',
        short_name: 'CRM Notebook',
        description: 'Customer analytics that runs entirely in your browser.',
        lang: 'zh-CN',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1f4e79',
        icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,css,svg,wasm,csv,webmanifest}'],
        globIgnores: ['**/duckdb-mvp*'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && /duckdb-mvp/.test(url.pathname),
            handler: 'CacheFirst',
            options: { cacheName: 'duckdb-mvp' },
          },
        ],
      },
    }),
  ],
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
