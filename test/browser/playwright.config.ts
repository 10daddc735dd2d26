/**
 * Browser tests: Playwright Test driving Debian's Chromium (`apt-get install chromium`; Playwright's own browser
 * download cannot reach its CDN here) against a real `myragdb up` started by global-setup.ts.
 */
import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // One server, one browser at a time: tests change shared state (repositories, keys) in a known order.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: '../../test-results/browser',
  globalSetup: './global-setup.ts',
  use: {
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    },
  },
});
