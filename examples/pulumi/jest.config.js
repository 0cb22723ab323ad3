// Run with the repository's own jest, ts-jest and TypeScript (see test.sh).
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.test.ts'],
  // The library as a user imports it, compiled from this repository's source.
  moduleNameMapper: { '^cdk8s-debuggable$': '<rootDir>/../../src' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testTimeout: 60000,
};
