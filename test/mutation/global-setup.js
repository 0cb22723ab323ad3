// @ts-check
// globalSetup of test/mutation/jest.config.js: a run without an active mutant
// (Stryker's dry run) records the test map afresh.
const fs = require('fs');
const { MAP_FILE } = require('./test-map');

module.exports = async () => {
  if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) fs.rmSync(MAP_FILE, { force: true });
};
