import * as fc from 'fast-check';
import { validateSchema } from './support/manifests';
import { isLibraryError, outcomeOf, randomKind, randomOptions } from './support/random-options';

/*
 * Random option objects, good and bad: each one gives either the library's
 * own error (field, value, fix) or manifests that pass the strict Kubernetes
 * schema. Never a raw TypeError, never output the API server would reject.
 * (test/apiserver runs the same generator through a real server's dry run.)
 */

const RUNS = 400;
const SEED = 20261128;

test(`${RUNS} random option objects: a library error or schema-valid manifests`, () => {
  const valid: any[] = [];
  const native: any[] = [];
  const strange: string[] = [];
  let errors = 0;
  fc.assert(fc.property(randomKind, randomOptions, (kind, options) => {
    const outcome = outcomeOf(kind, options);
    if (outcome.kind === 'error') {
      errors++;
      if (!isLibraryError(outcome.message)) strange.push(outcome.message);
    } else {
      (outcome.native ? native : valid).push(...outcome.objects);
    }
  }), { seed: SEED, numRuns: RUNS });

  expect(strange).toEqual([]);
  // Both outcomes occur, so the property is not vacuous either way.
  expect(errors).toBeGreaterThan(RUNS / 10);
  expect(valid.length).toBeGreaterThan(RUNS / 10);
  expect(validateSchema(valid, '1.27')).toEqual([]);
  // Native sidecars (init containers with restartPolicy) exist from Kubernetes 1.29.
  expect(validateSchema(native, '1.33')).toEqual([]);
});

test('the error check tells the library\'s messages from others', () => {
  expect(isLibraryError("'debug.name' is not a valid container name (got \"X\"). Use lowercase letters.")).toBe(true);
  expect(isLibraryError("test/w/Resource: 'debug.name' clashes with a container (got \"main\"). Set 'debug.name'.")).toBe(true);
  expect(isLibraryError("Validation failed with the following errors:\n  [test/w/Resource] 'debug.tools' of the debug sidecar (got [\"tcpdump\"]). Ways out: x")).toBe(true);
  expect(isLibraryError("Cannot read properties of undefined (reading 'name')")).toBe(false);
  expect(isLibraryError('Storage amounts cannot be negative. Received: -1')).toBe(false);
});
