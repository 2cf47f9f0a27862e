// ESLint flat config: eslint's and typescript-eslint's recommended rules, kept modest on purpose (no type-aware
// rules, so `eslint .` stays fast). tsc's strict options (tsconfig.json) already do most of a linter's work and
// prettier owns formatting.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/fixtures holds vendored files kept byte-identical to their source.
  { ignores: ['dist/', 'build/', 'node_modules/', 'signet-data/', 'test-artifacts/', '.tmp/', 'test/fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a binding kept on purpose (e.g. dropping a field with a rest pattern).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests poke at untyped JSON (wire bodies, corpus bundles); `any` there is the honest type.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['web/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
