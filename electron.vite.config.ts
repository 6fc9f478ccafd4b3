import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      // The signature thread's code is a file of its own beside main's (signature-thread.ts).
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          'signature-worker': resolve('src/main/images/signature-worker.ts')
        }
      }
    }
  },
  preload: {
    // sandbox: true means the preload cannot require anything but electron: bundle it whole, CommonJS.
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve('src/renderer'),
    base: './',
    build: {
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } }
    },
    // No path aliases: the same files run under electron-vite, vitest, tsx (the browser shell and
    // the service), Playwright and esbuild (the benches' harnesses), and an alias would have to be
    // declared to each of them. Imports of src/shared are relative.
    plugins: [react()]
  }
})
