#!/usr/bin/env node
// `cdk8s-debuggable kubectl-debug <workload> --pod <pod>`: after `cdk8s
// synth`, print the `kubectl debug` command that adds a workload's debug
// container to one of its running Pods, and write the `--custom` file. It
// runs the app the way `cdk8s synth` does (the `app` of cdk8s.yaml).

import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { EXPORT_ENV_VAR } from '../sidecar/export';

const USAGE = `Usage: cdk8s-debuggable kubectl-debug <workload> --pod <pod> [options]

Prints the kubectl debug command that adds <workload>'s debug container (its
tools' least privileges) to the running Pod <pod> as an ephemeral container,
and writes the --custom file it reads. Run it where you run cdk8s synth.

  <workload>              the workload's metadata.name, construct id or path
  --pod <pod>             the running Pod (kubectl get pods)
  --namespace <ns>        the Pod's namespace (default: the workload's)
  --target <container>    the container to share processes with (default: the first)
  --name <name>           the ephemeral container's name (default: debug)
  --custom-file <file>    where to write the --custom JSON (default: debug-custom.json)
  --app <command>         the command that synthesizes the app (default: app in cdk8s.yaml)
  --json                  print {args, customJson, podSecurityLevel, refusal} instead`;

const FLAGS: Record<string, string> = {
  '--pod': 'pod', '--namespace': 'namespace', '--target': 'targetContainer', '--name': 'name', '--custom-file': 'customFile', '--app': 'app',
};

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

function parse(argv: string[]): { workload?: string; json: boolean; options: Record<string, string> } {
  const options: Record<string, string> = {};
  let workload: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--json') {
      json = true;
    } else if (FLAGS[flag] !== undefined) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value.\n\n${USAGE}`);
      options[FLAGS[flag]] = value;
    } else if (!arg.startsWith('-') && workload === undefined) {
      workload = arg;
    } else {
      throw new Error(`unknown argument '${arg}'.\n\n${USAGE}`);
    }
  }
  return { workload, json, options };
}

/** The app command from cdk8s.yaml (`app: npx ts-node main.ts`). */
function appCommand(dir: string): string {
  const file = path.join(dir, 'cdk8s.yaml');
  if (!existsSync(file)) throw new Error(`no cdk8s.yaml in ${dir}: run this where you run cdk8s synth, or pass --app '<command>'.`);
  const line = readFileSync(file, 'utf-8').split('\n').find(l => /^app:\s*\S/.test(l));
  if (line === undefined) throw new Error(`${file} has no 'app:' line; pass --app '<command>'.`);
  return line.replace(/^app:\s*/, '').trim().replace(/^(['"])(.*)\1$/, '$2');
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'kubectl-debug') throw new Error(`unknown command '${command}'.\n\n${USAGE}`);
  const { workload, json, options } = parse(rest);
  if (workload === undefined || options.pod === undefined) throw new Error(`<workload> and --pod are required.\n\n${USAGE}`);
  const { app, ...request } = options;

  const work = mkdtempSync(path.join(tmpdir(), 'cdk8s-debuggable-'));
  try {
    const out = path.join(work, 'answer.json');
    const run = spawnSync(app ?? appCommand(process.cwd()), {
      shell: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf-8',
      env: { ...process.env, CDK8S_OUTDIR: path.join(work, 'dist'), [EXPORT_ENV_VAR]: JSON.stringify({ out, workload, ...request }) },
    });
    if (run.status !== 0 || !existsSync(out)) {
      throw new Error(`the app failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
    }
    const answer = JSON.parse(readFileSync(out, 'utf-8'));
    if (answer.error) throw new Error(answer.error);
    const customFile = request.customFile ?? 'debug-custom.json';
    writeFileSync(customFile, `${answer.customJson}\n`);
    if (json) {
      process.stdout.write(`${JSON.stringify({ args: answer.args, customJson: answer.customJson, podSecurityLevel: answer.podSecurityLevel, refusal: answer.refusal })}\n`);
    } else {
      process.stderr.write(`# ${answer.workload}: wrote ${customFile}; the Pod will be Pod Security '${answer.podSecurityLevel}' with it.\n`);
      if (answer.refusal) process.stderr.write(`# warning: ${answer.refusal}\n`);
      process.stdout.write(`kubectl ${answer.args.map(shellQuote).join(' ')}\n`);
    }
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`cdk8s-debuggable: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
