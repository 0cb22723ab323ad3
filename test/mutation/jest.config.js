// @ts-check
// The jest configuration for mutation testing (stryker.config.json): the
// project's own, less the suites that are slow per run and whose code the fast
// suites cover too. Left out, with why:
//   pod-security-oracle  Go oracle over thousands of generated pods (76 s a run);
//                        pod-security.test.ts covers every check of the evaluator.
//   readme, examples     ts-node over the docs' snippets and examples/: synth end to end,
//                        the same calls the unit tests make.
//   cli                  runs examples/seed in a child process; src/cli/ is not mutated.
//   property, nothing-lost
//                        fast-check: hundreds of synths per test, over code the
//                        example-based suites cover test by test.
//   schema, layout, one-source, option-keys
//                        read src/ as text or as a TypeScript program: Stryker's
//                        instrumented copy is not the source they are about.
const fs = require('fs');
const path = require('path');

const base = require('../../package.json').jest;
const LEFT_OUT = [
  'pod-security-oracle', 'readme', 'examples', 'cli', 'property', 'nothing-lost',
  'schema', 'layout', 'one-source', 'option-keys',
];

// Stryker runs in a sandbox copy without .tools/ (144 MB, a Python venv): the
// schema validator is read from the first .tools/ found above this folder.
for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
  if (fs.existsSync(path.join(dir, '.tools', 'venv', 'bin', 'python'))) {
    process.env.CDK8S_DEBUGGABLE_TEST_TOOLS = path.join(dir, '.tools');
    break;
  }
}

module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..', '..'),
  collectCoverage: false,
  reporters: ['default'],
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, ...LEFT_OUT.map(name => `/test/${name}\\.test\\.ts$`)],
  // A mutant's tests stop at its first failure (environment.js).
  testEnvironment: path.join(__dirname, 'environment.js'),
  // Each mutant loads only the test files that hold its covering tests (sequencer.js).
  globalSetup: '<rootDir>/test/mutation/global-setup.js',
  setupFilesAfterEnv: [...(base.setupFilesAfterEnv ?? []), '<rootDir>/test/mutation/record-tests.js'],
  testSequencer: '<rootDir>/test/mutation/sequencer.js',
};
