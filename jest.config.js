/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The package tests install the library into throwaway apps (npm install, slow); they run on
  // their own (`npm run test:package`). build/ is `npm run build`'s output, never a test or a module to load.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/package/', '<rootDir>/build/'],
  modulePathIgnorePatterns: ['<rootDir>/build/'],
  // Type-checking is `tsc --noEmit` in `npm test`; jest only transpiles, which keeps it fast.
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Jest's default is one worker fewer than the cores: one worker on CI's two cores. The suites are
  // independent and CPU-bound, so use every core.
  maxWorkers: '100%',
};
