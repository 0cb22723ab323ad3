// @ts-check
// The jest test sequencer of test/mutation/jest.config.js. Stryker runs a
// mutant's covering tests by name (testNamePattern), which still loads every
// test file; this keeps only the files that hold a covering test. A name it
// does not know keeps every file: never fewer tests than Stryker asked for.
const fs = require('fs');
const Sequencer = require('@jest/test-sequencer').default;
const { MAP_FILE } = require('./test-map');

class CoveringFilesSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig.testNamePattern;
  }

  sort(tests) {
    const files = this.pattern ? filesMatching(this.pattern) : undefined;
    return super.sort(files ? tests.filter(t => files.has(t.path)) : tests);
  }
}

function filesMatching(pattern) {
  if (!fs.existsSync(MAP_FILE)) return undefined;
  const regex = new RegExp(pattern, 'i'); // as jest matches testNamePattern
  const files = new Set();
  for (const line of fs.readFileSync(MAP_FILE, 'utf-8').split('\n')) {
    if (line === '') continue;
    const [name, file] = JSON.parse(line);
    if (regex.test(name)) files.add(file);
  }
  return files.size > 0 ? files : undefined;
}

module.exports = CoveringFilesSequencer;
