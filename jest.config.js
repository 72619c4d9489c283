/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The packed-tarball test installs from npm; it runs on its own (`npm run test:package`).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/package/'],
  // Type-checking is `tsc --noEmit` in `npm test`; jest only transpiles, which keeps it fast.
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
