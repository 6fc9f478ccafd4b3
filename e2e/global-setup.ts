import { electronBinary } from './electron-binary'

// Said once per run, where everyone sees it: why the Electron spec will skip.
export default function globalSetup(): void {
  const binary = electronBinary()
  if ('missing' in binary)
    console.log(`\n[e2e] e2e/electron.spec.ts will skip: ${binary.missing}\n`)
}
