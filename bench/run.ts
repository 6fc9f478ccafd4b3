import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'

// `npm run bench [name…]`: runs every bench/*.bench.ts (or the named ones) one after another.
// Benchmarks print their own tables with the ratio to their baseline; they are not tests.
const dir = __dirname
const wanted = process.argv.slice(2)
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
const unknown = wanted.filter((w) => !all.includes(`${w}.bench.ts`))
if (unknown.length > 0) {
  console.error(
    `bench: no such benchmark: ${unknown.join(', ')} (have: ${all.map((f) => f.replace('.bench.ts', '')).join(', ')})`
  )
  process.exit(2)
}
const files = wanted.length > 0 ? wanted.map((w) => `${w}.bench.ts`) : all
let failed = 0
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const tsx = path.join(dir, '..', 'node_modules', '.bin', 'tsx')
  const result = spawnSync(tsx, [path.join(dir, file)], { stdio: 'inherit' })
  if (result.status !== 0) failed += 1
}
process.exit(failed > 0 ? 1 : 0)
