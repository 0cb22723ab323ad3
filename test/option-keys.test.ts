import * as path from 'path';
import * as ts from 'typescript';
import * as keys from '../src/option-keys';

/*
 * The run-time lists of option keys (src/option-keys.ts) are the keys of the
 * public interfaces, neither more nor fewer: read from the TypeScript
 * declarations with the compiler, inherited keys included.
 */

const LISTS: Array<[string, readonly string[]]> = [
  ['DebugOptions', keys.DEBUG_OPTION_KEYS],
  ['DebugAppVolumes', keys.APP_VOLUMES_KEYS],
  ['WorkloadFilter', keys.WORKLOAD_FILTER_KEYS],
  ['DebugSecurityContext', keys.SECURITY_CONTEXT_KEYS],
  ['EphemeralContainerOptions', keys.EPHEMERAL_KEYS],
  ['KubectlDebugOptions', keys.KUBECTL_DEBUG_KEYS],
  ['DebugImageRecipeOptions', keys.RECIPE_KEYS],
  ['PodSecurityOptions', keys.POD_SECURITY_KEYS],
  ['DebugToolProps', keys.TOOL_PROPS_KEYS],
  ['DebugAccessProps', keys.ACCESS_PROPS_KEYS],
  ['DebugGuardProps', keys.GUARD_PROPS_KEYS],
];

/** The property names of every exported interface of src/index.ts. */
function declaredKeys(): Map<string, string[]> {
  const index = path.join(__dirname, '..', 'src', 'index.ts');
  const program = ts.createProgram([index], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const out = new Map<string, string[]>();
  for (const symbol of checker.getExportsOfModule(module)) {
    // TypeScript's symbol flags are bit sets.
    // eslint-disable-next-line no-bitwise
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    // eslint-disable-next-line no-bitwise
    if (!(target.flags & ts.SymbolFlags.Interface)) continue;
    out.set(target.name, checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target)).map(p => p.name));
  }
  return out;
}

let declaredByName: Map<string, string[]>;
beforeAll(() => { declaredByName = declaredKeys(); }, 60_000);

test.each(LISTS.map(([name, list]) => [name, list] as const))('the keys of %s are exactly its declared properties', (name, list) => {
  const declared = declaredByName.get(name);
  expect(declared).toBeDefined();
  expect([...list].sort()).toEqual([...declared!].sort());
});

test('the attach and attachAll options are DebugOptions plus their own keys', () => {
  const declared = declaredByName;
  expect(declared.get('DebugSidecarAttachOptions')!.sort()).toEqual([...keys.DEBUG_OPTION_KEYS, 'podSpecPath'].sort());
  expect(declared.get('DebugSidecarAttachAllOptions')!.sort()).toEqual([...keys.DEBUG_OPTION_KEYS, ...keys.WORKLOAD_FILTER_KEYS].sort());
});
