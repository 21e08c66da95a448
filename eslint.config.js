import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layering from './tools/eslint/layering.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'test-output/', 'coverage/', 'models/files/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { estation: layering },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      'estation/layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.{js,mjs}', 'scripts/**', 'tools/**', 'bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
