import { defineConfig } from '@playwright/test'
import { chromiumExecutable } from './e2e/browser'

// e2e runs the real renderer in Chromium against the browser shell and the real local service.
// Debian's chromium is used when present (Playwright cannot download its own browser here);
// on a machine with Playwright's browser installed, that one is used.
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: process.env['CI'] ? 1 : 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic'
      ]
    }
  }
})
