import { cdk8s, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-debuggable',
  description: 'A debug sidecar (tcpdump, strace, dig, ...) for cdk8s workloads whose privileges are derived from its tools, toggled per environment.',
  keywords: ['cdk8s', 'kubernetes', 'debug', 'sidecar', 'tcpdump', 'netshoot', 'pod-security'],
  author: 'cdk8s-debuggable maintainers',
  authorAddress: 'maintainers@cdk8s-debuggable.dev',
  repositoryUrl: 'https://github.com/cdk8s-debuggable/cdk8s-debuggable.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdk8sVersion: '2.70.106',
  constructsVersion: '10.8.1',
  // projen has no cdk8s-plus version option for libraries: a peer, never bundled.
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  // cdk8s-plus-28 and 33: attach and attachAll are tested on workloads of the most used and the newest cdk8s-plus too.
  devDeps: ['cdk8s-plus-27@2.9.5', 'cdk8s-plus-28@2.5.6', 'cdk8s-plus-33@2.5.57', 'cdk8s-cli@2.207.60', 'fast-check@^3', 'yaml@^2',
    // Mutation testing (test:mutation); 9.x is the last line that runs on Node 20.
    '@stryker-mutator/core@9.6.1', '@stryker-mutator/jest-runner@9.6.1', 'mutation-testing-metrics@3.7.3'],
  // `cdk8s-debuggable kubectl-debug <workload> --pod <pod>` after cdk8s synth (src/cli/main.ts).
  bin: { 'cdk8s-debuggable': 'lib/cli/main.js' },
  jsiiVersion: '~6.0.0',
  // typescript 7 (the Go port) breaks ts-node, which runs .projenrc.ts and the examples.
  typescriptVersion: '~5.9',
  minNodeVersion: '20.0.0',

  // Published for every jsii language (issue 7 builds and runs them).
  publishToPypi: { distName: 'cdk8s-debuggable', module: 'cdk8s_debuggable' },
  publishToMaven: {
    javaPackage: 'dev.cdk8s.debuggable',
    mavenGroupId: 'dev.cdk8s-debuggable',
    mavenArtifactId: 'cdk8s-debuggable',
  },
  publishToGo: { moduleName: 'github.com/cdk8s-debuggable/cdk8s-debuggable-go' },

  jestOptions: {
    // projen's default `jest --updateSnapshot` can never fail on a changed snapshot.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/apiserver/', '/test/helm/', '/examples/'],
      setupFiles: ['<rootDir>/test/support/clean-env.ts'],
    },
  },
  // Not on GitHub: no workflows, no release automation (and its Node 22-only changelog tools).
  github: false,
  release: false,
});

project.gitignore.exclude(
  '/examples/.readme-snippets/',
  '/.tools/',
  '/examples/*/dist/',
  '/test/e2e/.podman/',
  '/test/pss-oracle/bin/',
  '/bench/out/',
  '/.stryker-tmp/',
  '/.mutation-test-map.jsonl',
  '/reports/',
);

// The test task: no --passWithNoTests (a run that finds no test must fail), and
// the Kubernetes schema validator installed first (tests validate every manifest).
const testTools = project.addTask('test:tools', {
  description: 'Install the tools the tests shell out to (Kubernetes schema validator).',
  exec: 'bash scripts/install-test-tools.sh',
});
project.testTask.reset();
project.testTask.spawn(testTools);
project.testTask.exec('jest', { receiveArgs: true });
// ts-jest only transpiles (isolatedModules): the test files' types are checked here.
project.testTask.exec('tsc --noEmit -p test/tsconfig.json');
project.testTask.spawn(project.tasks.tryFind('eslint')!);

project.addTask('test:e2e', {
  description: 'Play the synthesized Pods in podman and prove the claims (skips locally without podman; fails under CI=true).',
  exec: 'bash test/e2e/run.sh',
  receiveArgs: true,
});

project.addTask('test:apiserver', {
  description: 'Real kube-apiserver v1.37.2 + etcd (built from Go modules, cached per machine): examples with strict server-side validation, PodSecurity admission vs the library, native sidecars, ephemeral containers (skips locally without Go; fails under CI=true).',
  exec: 'bash test/apiserver/run.sh',
  receiveArgs: true,
});

project.addTask('test:helm', {
  description: "Render a fixture chart with cdk8s's Helm and a real helm v3 (built from the Go module proxy, cached per machine) and prove attachAll on it (skips locally without Go; fails under CI=true).",
  exec: 'bash test/helm/run.sh',
  receiveArgs: true,
});

project.addTask('test:pulumi', {
  description: 'examples/pulumi: the Pulumi program under Pulumi unit-test mocks (npm ci there, type-check, jest; skips when it cannot install, fails under CI=true).',
  exec: 'bash examples/pulumi/test.sh',
  receiveArgs: true,
});

project.addTask('test:languages', {
  description: 'Build the Python, Java and Go packages with jsii-pacmak and check the seed example synthesizes byte-identical manifests in each (missing toolchain: skip; fails under CI=true).',
  exec: 'bash scripts/test-languages.sh',
  receiveArgs: true,
});
// README snippets must compile; their translations go into the jsii packages' READMEs.
project.postCompileTask.exec('jsii-rosetta extract --strict');
project.gitignore.exclude('.jsii.tabl.json', '/languages/go/seed');
// Keep work files out of npm pack, hence out of every jsii package.
project.npmignore?.exclude('/.tools/', '/.ci/', '/examples/', '/scripts/', '/languages/', '/rosetta/', '/bench/', '/docs/', '/test/');
// The inline source maps name src/*.ts: ship those files, so stack traces resolve to real files.
project.npmignore?.include('/src/**/*.ts');

const bench = project.addTask('bench', {
  description: 'Synthesis benchmark (docs/benchmarks.md); args: --quick, --n 100,1000, --reps R, --variants, --no-kustomize',
});
bench.exec('tsc -p bench/tsconfig.json');
bench.exec('node bench/out/bench/run.js', { receiveArgs: true });
const profile = project.addTask('bench:profile', { description: 'CPU profile summary of the benchmark variants' });
profile.exec('tsc -p bench/tsconfig.json');
profile.exec('node bench/out/bench/profile.js', { receiveArgs: true });

// Mutation testing (docs/testing.md#mutation-score): the fast jest suites against mutants of src/.
// Incremental: only the mutants of code or tests changed since test/mutation/incremental.json are re-run.
const mutation = project.addTask('test:mutation', {
  description: 'StrykerJS over src/ (cli/ excepted) with the fast jest suites; incremental from test/mutation/incremental.json; fails when a folder of src/ scores under 85% (args: --force re-tests every mutant, --write-docs writes docs/mutation-score.md).',
});
mutation.exec('node test/mutation/run.mjs', { receiveArgs: true });

project.addTask('synth:examples', {
  description: 'Synthesize every example app into examples/<name>/dist (debug off and on where it toggles).',
  exec: 'bash examples/synth-all.sh',
});

project.synth();
