/** Three projects: fast pure tests, template assertions, and tests against DynamoDB Local. */
// tsconfig.json sets isolatedModules, so ts-jest transpiles each file without type-checking it; the types are
// checked once by `npm run typecheck`.
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: tsJest,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  // Integration files start a local server, which synthesizes the Data stack to read its tables.
  testTimeout: 30_000,
  // Jest's default on two cores is one worker, which runs every file inside jest's own process: nothing is
  // released between files, and that process grew past 8 GB. Two workers use both cores, and a worker that
  // holds more than the limit after a file is replaced by a fresh one.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1GB',
  projects: [
    project('unit'),
    project('infra'),
    project('integration', {
      setupFiles: [
        '<rootDir>/test/integration/harness/quiet-logs.ts',
        '<rootDir>/test/integration/harness/no-template-validation.ts',
      ],
      globalSetup: '<rootDir>/test/integration/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/harness/global-teardown.ts',
    }),
  ],
};
