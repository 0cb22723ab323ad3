// @ts-check
// The jest test environment of test/mutation/jest.config.js: node, plus a
// bail. Once a test fails under a mutant, the mutant is killed, so the rest
// of its covering tests are skipped (jest has no bail that Stryker can use).
// Without it, a mutant of code every test reaches runs every test, killed or not.
const { TestEnvironment } = require('jest-environment-node');

/** Mutants with a failed test in this process (jest runs in band under Stryker). */
const killed = new Set();

class BailingEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant !== undefined) {
      if (event.name === 'test_fn_failure' || event.name === 'hook_failure') killed.add(mutant);
      if (event.name === 'test_start' && killed.has(mutant)) event.test.mode = 'skip';
    }
  }
}

module.exports = BailingEnvironment;
