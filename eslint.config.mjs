import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

// ipcMain / ipcRenderer live in exactly one file each: the IPC helpers.
const IPC_HELPERS = ['src/main/electron/ipc.ts', 'src/preload/index.ts']
const noRawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Use the typed IPC helpers (src/main/electron/ipc.ts, src/preload/index.ts).'
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '.tagdeck/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      'no-restricted-imports': ['error', { paths: [noRawIpc] }]
    }
  },
  { files: IPC_HELPERS, rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [noRawIpc, { name: 'electron', message: 'The renderer never imports electron.' }],
          patterns: [
            {
              group: ['**/main/**', '**/service/**', '@main/*', '@service/*'],
              message:
                'The renderer may not import src/main or src/service: go through the platform module.'
            }
          ]
        }
      ]
    }
  },
  {
    // The offline layer drops no failure without a trace: log it, or say why nothing can be lost
    // with `// eslint-disable-next-line no-restricted-syntax -- <why>`.
    files: ['src/renderer/src/offline/**/*.ts', 'src/renderer/src/data/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='catch'][arguments.0.body.type='Identifier'][arguments.0.body.name='undefined']",
          message: 'A dropped rejection: log it, or say in an eslint-disable comment why it may go.'
        },
        {
          selector:
            "Property[key.name='error'] > ArrowFunctionExpression[body.type='Identifier'][body.name='undefined']",
          message: 'A dropped error: log it (and show it where the user needs to know).'
        }
      ]
    }
  },
  {
    // End-to-end tests find things as a user does: by role, label or text (test ids for what
    // has none), never by a CSS class, which styling may change at any time.
    files: ['e2e/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='locator'] > Literal.arguments[value=/(^|[\\s>+~,(])\\./]",
          message:
            'Locate by role, label or text (getByRole, getByLabel, getByText, getByTestId), not by CSS class.'
        }
      ]
    }
  },
  {
    // The offline layer has one door (src/renderer/src/offline/index.ts); its rooms are private.
    files: ['src/renderer/**/*.{ts,tsx}'],
    ignores: ['src/renderer/src/offline/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noRawIpc, { name: 'electron', message: 'The renderer never imports electron.' }],
          patterns: [
            {
              group: ['**/main/**', '**/service/**', '@main/*', '@service/*'],
              message:
                'The renderer may not import src/main or src/service: go through the platform module.'
            },
            {
              group: ['**/offline/*'],
              message:
                'Import the offline layer through its door: src/renderer/src/offline (index.ts).'
            }
          ]
        }
      ]
    }
  }
)
