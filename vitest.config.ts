import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'src/**/*.test.tsx',
      'scripts/**/*.test.ts',
      'testing/**/*.test.ts'
    ],
    // Tests that measure a service under load run alone, after the rest (vitest.load.config.ts):
    // beside other test files on a 2-core machine, their quiet baseline is not quiet.
    exclude: [...configDefaults.exclude, '**/*.load.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks'
  }
})
