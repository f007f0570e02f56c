import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright's own browser download does not work offline.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

// E2E_PORT / E2E_DIST let several builds be tested side by side (the default: dist/ on 4173).
const PORT = Number(process.env.E2E_PORT ?? 4173);
const DIST = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 60_000 },
  workers: 1,
  outputDir: process.env.E2E_OUT ?? 'test-results',
  reporter: [['list'], ['json', { outputFile: process.env.E2E_JSON ?? '.test-output/e2e.json' }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    viewport: { width: 1360, height: 900 },
    acceptDownloads: true,
    // The offline app's service worker precaches ~45 MB; only the tests about it let it run.
    serviceWorkers: 'block',
  },
  projects: [
    { name: 'zh-Shanghai', use: { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } },
  ],
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort --outDir ${DIST}`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
