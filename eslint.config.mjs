import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

/** zod is used through lambdas/shared/zod.ts: its tree-shakable `zod/mini` API, with English messages. */
const ZOD_ONLY_THROUGH_SHARED = {
  regex: '^zod(/|$)',
  message: 'Import `* as z` from lambdas/shared/zod (zod/mini, set up once).',
};

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
      // The `z` export is a namespace object esbuild cannot tree-shake: it would bring all of zod into each
      // Lambda bundle, where `import * as z` keeps only what is used.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value=/shared\\/zod$/][importKind!='type'] > ImportSpecifier[imported.name='z']",
          message: "Use `import * as z from '…/shared/zod'`.",
        },
      ],
      'no-restricted-imports': ['error', { patterns: [ZOD_ONLY_THROUGH_SHARED] }],
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
        {
          paths: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'].map((name) => ({
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
          patterns: [
            ZOD_ONLY_THROUGH_SHARED,
            {
              // Runtime code never imports the CDK app (STYLE.md): a type both need lives in lambdas/.
              regex: '^(\\.\\./)+lib/',
              message: 'lambdas/ never imports from lib/; move the shared type into lambdas/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The one module that may import zod itself.
    files: ['lambdas/shared/zod.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // client/generate-types.ts is the `npm run client` generator; the rest of client/ ships to applications.
    files: ['test/**', 'bench/**', 'local/**', 'scripts/**', 'bin/**', 'client/generate-types.ts'],
    rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true }] },
  },
);
