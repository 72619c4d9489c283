/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The package tests install the library into throwaway apps (npm install, slow); they run on
  // their own (`npm run test:package`). build/ is `npm run build`'s output, never a test or a module to load.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/package/', '<rootDir>/build/'],
  modulePathIgnorePatterns: ['<rootDir>/build/'],
  // Type-checking is `tsc --noEmit` in `npm test`; jest only strips the types. swc does that ~20x
  // faster than ts-jest (TypeScript's own transpiler), which matters on a clean clone (CI), where
  // every worker transforms lib/ and the 1.7 MB of imports/ before its first test.
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          // tsconfig.json's target: ES2020 and its class-field semantics (assignment in the
          // constructor, not define), so the tests run the code tsc builds.
          target: 'es2020',
          transform: { useDefineForClassFields: false },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
        swcrc: false,
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The slowest suites first also on a clean clone, which has no timing cache (see the file).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // Jest's default is one worker fewer than the cores: one worker on CI's two cores. The suites are
  // independent and CPU-bound, so use every core.
  maxWorkers: '100%',
};
