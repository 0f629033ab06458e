import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', '.optline/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import/order': ['error', { alphabetize: { order: 'asc' }, 'newlines-between': 'never' }],
      // zod's `z` export is a namespace object esbuild cannot tree-shake: it drags every locale into each
      // Lambda bundle (about 450 KB against 85 KB for `import * as z`).
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z']",
          message: "Use `import * as z from 'zod'`.",
        },
      ],
      // Production code (bin, lib, lambdas) may import only runtime dependencies.
      'import/no-extraneous-dependencies': ['error', { devDependencies: false }],
    },
  },
  {
    // Queries only (DESIGN §4): Lambda code reads items by key or key condition, never a whole table.
    files: ['lambdas/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        ...['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'].map((name) => ({
          name,
          importNames: [
            'ScanCommand',
            'paginateScan',
            'ExecuteStatementCommand',
            'BatchExecuteStatementCommand',
            'ExecuteTransactionCommand',
          ],
          message:
            'Read by key or key condition (lambdas/adapters/dynamo/query-only.ts); never a whole table.',
        })),
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'local/**', 'scripts/**', 'bin/**'],
    rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true }] },
  },
);
