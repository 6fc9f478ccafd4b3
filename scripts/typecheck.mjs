// `npm run typecheck`: the Node, web and e2e projects checked by tsc side by side (each tsc is
// one thread; one after another they took 33 s on the 2-core build machine). Each project's
// output is printed whole, in order; the exit code is the first failure's.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const PROJECTS = ['node', 'web', 'e2e']

function check(project) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [TSC, '--noEmit', '-p', path.join(ROOT, `tsconfig.${project}.json`)],
      { cwd: ROOT }
    )
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', (error) => resolve({ project, code: 1, output: `${error.message}\n` }))
    child.on('close', (code) => resolve({ project, code: code ?? 1, output }))
  })
}

const results = await Promise.all(PROJECTS.map(check))
for (const { project, code, output } of results) {
  if (output) process.stdout.write(output)
  console.log(`typecheck ${project}: ${code === 0 ? 'ok' : 'failed'}`)
}
process.exit(results.find((r) => r.code !== 0)?.code ?? 0)
