import { defineConfig } from '@playwright/test'
import { chromiumExecutable } from './e2e/browser'
import type { Fixtures } from './e2e/fixtures'

// e2e runs the real renderer in Chromium against the browser shell and the real local service.
// Debian's chromium is used when present (Playwright cannot download its own browser here);
// on a machine with Playwright's browser installed, that one is used.
// Two projects, one set of specs: `browser` runs every spec against the browser shell;
// `electron` runs the review flows tagged @electron (the same specs, through the `app` and
// `appPage` fixtures) and e2e/electron.spec.ts against real Electron, and skips, saying why
// once, where the Electron binary is not installed (TAGDECK_REQUIRE_ELECTRON=1 fails instead).
// `npx playwright test --project electron` runs only the latter.
export default defineConfig<Pick<Fixtures, 'transport'>>({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: process.env['CI'] ? 1 : 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  projects: [
    { name: 'browser', testIgnore: /electron\.spec\.ts$/, use: { transport: 'browser' } },
    { name: 'electron', grep: /@electron/, use: { transport: 'electron' } }
  ],
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
