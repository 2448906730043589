import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'packages/store/drizzle/**',
      '**/*.cjs',
      'test-artifacts/**',
      '.isoflop/**',
      '.gpu/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**/*.js', 'apps/cli/bin/*.js'],
    languageOptions: { globals: globals.node },
  },
  { files: ['apps/server/public/**/*.js'], languageOptions: { globals: globals.browser } },
);
