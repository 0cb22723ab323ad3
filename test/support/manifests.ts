import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';

const ROOT = path.join(__dirname, '..', '..');
// Mutation testing runs in a sandbox copy without .tools/ (test/mutation/jest.config.js).
const PYTHON = path.join(process.env.CDK8S_DEBUGGABLE_TEST_TOOLS ?? path.join(ROOT, '.tools'), 'venv', 'bin', 'python');
const collected: any[] = [];

/** Synthesizes a chart (running its validations) and keeps the output for the schema check. */
export function synth(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  collected.push(...objects);
  return objects;
}

/**
 * Synthesizes the chart the way `cdk8s synth` does (which validates the whole
 * app) and returns the validation errors, one string each; [] when it passes.
 */
export function synthErrors(chart: Chart): string[] {
  try {
    synth(chart);
    return [];
  } catch (e) {
    const lines = (e as Error).message.split('\n').map(l => l.trim()).filter(l => l.startsWith('['));
    if (lines.length === 0) throw e;
    return lines;
  }
}

export interface SchemaProblem {
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly error: string;
}

/** Validates objects with kubernetes-validate (strict) against one Kubernetes version. */
export function validateSchema(objects: any[], version = '1.27'): SchemaProblem[] {
  if (!existsSync(PYTHON)) {
    throw new Error(`the schema validator is not installed (${PYTHON}); run 'npx projen test:tools'`);
  }
  const run = spawnSync(PYTHON, [path.join(__dirname, 'validate_schema.py'), version], {
    input: JSON.stringify(objects), encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`validate_schema.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/**
 * Registers a last test in the calling file: every manifest synthesized with
 * `synth()` above it passes the Kubernetes 1.27 schema.
 */
export function everyManifestPassesTheSchema(): void {
  test('every manifest synthesized in this file passes the Kubernetes 1.27 schema (strict)', () => {
    expect(collected.length).toBeGreaterThan(0);
    expect(validateSchema(collected)).toEqual([]);
  });
}

/** The pod spec of a workload object, by kind. */
export function podSpecOf(obj: any): any {
  switch (obj.kind) {
    case 'Pod': return obj.spec;
    case 'CronJob': return obj.spec.jobTemplate.spec.template.spec;
    default: return obj.spec.template.spec;
  }
}

/** The one object of a kind in a manifest list. */
export function only(objects: any[], kind: string): any {
  const found = objects.filter(o => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** A container of a pod spec by name (regular or init). */
export function containerNamed(spec: any, name: string): any {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((c: any) => c.name === name);
}

/** Runs fn with environment variables set, then restores them. */
export function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map(k => [k, process.env[k]]));
  const assign = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k]; else process.env[k] = value;
    }
  };
  assign(vars);
  try {
    return fn();
  } finally {
    assign(saved);
  }
}

/** A Deployment as a plain ApiObject (no cdk8s-plus) named `id`, with the pod spec given as it is. */
export function plainDeployment(scope: Construct, id: string, podSpec: any): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: id },
    spec: { selector: { matchLabels: { app: id } }, template: { metadata: { labels: { app: id } }, spec: podSpec } },
  });
}
