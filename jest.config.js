/** Three projects: fast pure tests, template assertions, and tests against DynamoDB Local. */
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
  projects: [
    project('unit'),
    project('infra'),
    project('integration', {
      setupFiles: ['<rootDir>/test/integration/harness/quiet-logs.ts'],
      globalSetup: '<rootDir>/test/integration/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/harness/global-teardown.ts',
    }),
  ],
};
