import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', '.harness/**'] },
  js.configs.recommended,
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: globals.node } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['support/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  // Layers import downward only (docs/contracts.md):
  // sip ← sdp; sip ← transport ← transaction ← dialog ← {wic, scscf, epcscf, wwsf, pki} ← sut ← world ← steps;
  // checks read sip and sdp only.
  ...layer('sip', [
    'sdp',
    'dialog',
    'transport',
    'transaction',
    'wic',
    'scscf',
    'epcscf',
    'pki',
    'sut',
    'world',
    'checks',
    'profile',
  ]),
  ...layer('sdp', [
    'transport',
    'transaction',
    'dialog',
    'wic',
    'scscf',
    'epcscf',
    'wwsf',
    'pki',
    'sut',
    'world',
    'checks',
    'profile',
  ]),
  ...layer('dialog', ['wic', 'scscf', 'epcscf', 'wwsf', 'pki', 'sut', 'world', 'checks', 'profile']),
  ...layer('transport', [
    'dialog',
    'transaction',
    'wic',
    'scscf',
    'epcscf',
    'sut',
    'world',
    'checks',
    'profile',
  ]),
  ...layer('transaction', ['dialog', 'wic', 'scscf', 'epcscf', 'sut', 'world', 'checks', 'profile']),
  ...layer('wic', ['scscf', 'epcscf', 'wwsf', 'sut', 'world', 'checks', 'profile']),
  ...layer('scscf', ['wic', 'epcscf', 'wwsf', 'sut', 'world', 'checks', 'profile']),
  ...layer('epcscf', ['wic', 'scscf', 'wwsf', 'sut', 'world', 'checks', 'profile']),
  ...layer('wwsf', [
    'transport',
    'transaction',
    'wic',
    'scscf',
    'epcscf',
    'sut',
    'world',
    'checks',
    'profile',
  ]),
  ...layer('pki', [
    'transport',
    'transaction',
    'wic',
    'scscf',
    'epcscf',
    'sut',
    'world',
    'checks',
    'profile',
  ]),
  ...layer('profile', ['transport', 'transaction', 'wic', 'scscf', 'epcscf', 'sut', 'world', 'checks']),
  ...layer('sut', ['world', 'checks']),
  // The browser WICs (issue 11) stand beside the world: they use sip, trace and errors, nothing of the actors.
  ...layer('browser', ['wic', 'scscf', 'epcscf', 'wwsf', 'pki', 'sut', 'world', 'checks', 'profile']),
  ...layer('checks', [
    'transport',
    'transaction',
    'dialog',
    'wic',
    'scscf',
    'epcscf',
    'wwsf',
    'sut',
    'world',
  ]),
)

/**
 * An ESLint block forbidding `support/<folder>` to import from the folders above it. The load generator
 * (support/load, issue 12) sits on top of everything, as the world does; the browser WICs above every layer but the
 * world's.
 */
function layer(folder, aboveThis) {
  const above = [...aboveThis, 'load', ...(folder === 'browser' ? [] : ['browser'])]
  return [
    {
      files: [`support/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              { group: above.map((f) => `**/${f}/*`), message: `support/${folder} is below these layers` },
            ],
          },
        ],
      },
    },
  ]
}
