import { defineConfig } from 'vitest/config'

// The load tests (`*.load.test.ts`), one file at a time with nothing else running.
export default defineConfig({
  test: {
    include: ['src/**/*.load.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false
  }
})
