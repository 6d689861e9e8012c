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

/** An ESLint block forbidding `support/<folder>` to import from the folders above it. */
function layer(folder, above) {
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
