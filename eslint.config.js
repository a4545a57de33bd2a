import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Money must never become a JS float: parseFloat has no place in this code base.
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Use Decimal for amounts.' }],
      'no-restricted-properties': ['error', { object: 'Number', property: 'parseFloat', message: 'Use Decimal for amounts.' }],
    },
  },
  { files: ['public/js/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
);
