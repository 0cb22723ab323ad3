// @ts-check
// Which test file holds which test, recorded in Stryker's first (dry) run and
// read by ./sequencer.js for every mutant after it. Without it, jest loads all
// test files for every mutant only to skip the tests that do not cover it.
const path = require('path');

/** The map's file: in the root of the run (Stryker's sandbox). */
const MAP_FILE = path.join(__dirname, '..', '..', '.mutation-test-map.jsonl');

module.exports = { MAP_FILE };
