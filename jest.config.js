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
  // Jest's default is one worker fewer than the cores: on two cores, one, which runs every file inside jest's
  // own process, where memory is never handed back between files (it grew past 8 GB). One worker per core uses
  // them all. The limit replaces a worker whose JavaScript heap is over 1 GB after a file, and keeps the tests
  // in workers even when a run asks for one (`-w 1`).
  maxWorkers: '100%',
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
