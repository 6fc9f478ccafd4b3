import { electronBinary } from './electron-binary'

// Said once per run, where everyone sees it: why the Electron project will skip.
export default function globalSetup(): void {
  const binary = electronBinary()
  if ('missing' in binary)
    console.log(
      `\n[e2e] the electron project (e2e/electron.spec.ts and the specs tagged @electron) will skip: ${binary.missing}\n`
    )
}
