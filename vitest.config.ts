import { availableParallelism } from 'node:os'
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
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores: one on a 2-core machine, where most
    // files wait on a service or a disk. Two measured 99 s against 149 s for the suite there.
    maxWorkers: Math.max(2, availableParallelism() - 1)
  }
})
