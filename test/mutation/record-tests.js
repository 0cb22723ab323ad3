// @ts-check
// setupFilesAfterEach of test/mutation/jest.config.js: in a run without an
// active mutant (Stryker's dry run), append "test name -> test file" to the
// map that ./sequencer.js reads.
const fs = require('fs');
const { MAP_FILE } = require('./test-map');

if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
  afterEach(() => {
    const { currentTestName, testPath } = expect.getState();
    fs.appendFileSync(MAP_FILE, JSON.stringify([currentTestName, testPath]) + '\n');
  });
}
