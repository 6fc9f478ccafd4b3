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

// Ways a failure is dropped without a trace (see the rule's use below).
const DROPPED = 'A dropped rejection: log it, or say in an eslint-disable comment why it may go.'
const DROPPED_REJECTIONS = [
  // .catch(() => undefined), .catch(() => {}), and the same as then's second argument
  ...['catch', 'then'].flatMap((method) => {
    const arg = method === 'catch' ? 0 : 1
    return [
      `CallExpression[callee.property.name='${method}'][arguments.${arg}.body.type='Identifier'][arguments.${arg}.body.name='undefined']`,
      `CallExpression[callee.property.name='${method}'][arguments.${arg}.body.type='BlockStatement'][arguments.${arg}.body.body.length=0]`
    ].map((selector) => ({ selector, message: DROPPED }))
  }),
  {
    selector:
      "Property[key.name='error'] > ArrowFunctionExpression[body.type='Identifier'][body.name='undefined']",
    message: 'A dropped error: log it (and show it where the user needs to know).'
  }
]
// Also dropped, though the code reads as if it chose a value: .catch(() => null), on('error', ...).
const DROPPED_QUIETLY = [
  {
    selector:
      "CallExpression[callee.property.name=/^(catch|then)$/] > ArrowFunctionExpression.arguments:last-child[params.length=0][body.type='Literal'][body.raw='null']",
    message: DROPPED
  },
  {
    // emitter.on('error', () => undefined)
    selector:
      "CallExpression[callee.property.name='on'][arguments.0.value='error'][arguments.1.body.type='Identifier'][arguments.1.body.name='undefined']",
    message: 'A dropped error event: log it, or say in an eslint-disable comment why it may go.'
  }
]
// A catch that throws hands its failure on; one that does not must log or say why.
const BARE_CATCH = {
  selector: 'CatchClause[param=null]:not(:has(ThrowStatement))',
  message: 'A bare catch: log the error, or say in an eslint-disable comment why nothing is lost.'
}
const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/*.fixture.ts']

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
    // No failure dropped without a trace: log it (src/main/log, src/renderer/src/log, the
    // service's ctx.log), or say why nothing can be lost with
    // `// eslint-disable-next-line no-restricted-syntax -- <why>`. Tests and their helpers are exempt.
    files: ['src/**/*.{ts,tsx}'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-syntax': ['error', ...DROPPED_REJECTIONS, ...DROPPED_QUIETLY, BARE_CATCH]
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
