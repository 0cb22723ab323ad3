#!/usr/bin/env node
// `cdk8s-debuggable kubectl-debug <workload> --pod <pod>`: after `cdk8s
// synth`, print the `kubectl debug` command that adds a workload's debug
// container to one of its running Pods, and write the `--custom` file. It
// runs the app the way `cdk8s synth` does (the `app` of cdk8s.yaml).

import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { fail } from '../errors';
import { durationOfText } from '../expiry';
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
  --ttl <lifetime>        end the container after 90s, 60m or 2h (default: when the Pod stops)
  --copy-to <name>        debug a copy of the Pod named <name> instead (an app that crash-loops):
                          the debug container joins the copy, without the app's labels and probes
  --sleep-app             with --copy-to: the app container of the copy only sleeps; start it by hand
  --app <command>         the command that synthesizes the app (default: app in cdk8s.yaml)
  --json                  print {args, customJson, podSecurityLevel, minKubectlVersion, labelArgs, annotateArgs,
                          refusal, pullSecretAdvice, pipedFrom} instead

It also prints the kubectl label and annotate commands that record the
debug container on the Pod (or the copy), as a sidecar's Pod is recorded.`;

const FLAGS: Record<string, string> = {
  '--pod': 'pod',
  '--namespace': 'namespace',
  '--target': 'targetContainer',
  '--name': 'name',
  '--custom-file': 'customFile',
  '--app': 'app',
  '--ttl': 'ttl',
  '--copy-to': 'copyTo',
};
/** Flags without a value, and the option each sets to true. */
const SWITCHES: Record<string, string> = { '--sleep-app': 'sleepApp' };

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

function parse(argv: string[]): { workload?: string; json: boolean; options: Record<string, string | boolean> } {
  const options: Record<string, string | boolean> = {};
  let workload: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--json') {
      json = true;
    } else if (SWITCHES[flag] !== undefined && inline === undefined) {
      options[SWITCHES[flag]] = true;
    } else if (FLAGS[flag] !== undefined) {
      const value = inline ?? argv[++i];
      if (value === undefined) fail(flag, value, 'needs a value', USAGE);
      options[FLAGS[flag]] = value;
    } else if (!arg.startsWith('-') && workload === undefined) {
      workload = arg;
    } else {
      fail('argument', arg, 'is not an argument of kubectl-debug', USAGE);
    }
  }
  return { workload, json, options };
}

/** The app command from cdk8s.yaml (`app: npx ts-node main.ts`). */
function appCommand(dir: string): string {
  const file = path.join(dir, 'cdk8s.yaml');
  if (!existsSync(file)) fail('--app', undefined, `is needed: there is no cdk8s.yaml in ${dir}`, "Run this where you run cdk8s synth, or pass --app '<command>'.");
  const line = readFileSync(file, 'utf-8').split('\n').find(l => /^app:\s*\S/.test(l));
  if (line === undefined) fail('--app', undefined, `is needed: ${file} has no 'app:' line`, "Pass --app '<command>'.");
  return line.replace(/^app:\s*/, '').trim().replace(/^(['"])(.*)\1$/, '$2');
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'kubectl-debug') fail('command', command, 'is not a command of cdk8s-debuggable', USAGE);
  const { workload, json, options } = parse(rest);
  if (workload === undefined || options.pod === undefined) fail(workload === undefined ? '<workload>' : '--pod', undefined, 'is required', USAGE);
  const { app, ...request } = options;
  if (typeof request.ttl === 'string') durationOfText('--ttl', request.ttl);
  if (request.sleepApp === true && request.copyTo === undefined) fail('--sleep-app', true, 'needs --copy-to (a running Pod\'s command cannot change)', USAGE);

  const work = mkdtempSync(path.join(tmpdir(), 'cdk8s-debuggable-'));
  try {
    const out = path.join(work, 'answer.json');
    const appCmd = typeof app === 'string' ? app : appCommand(process.cwd());
    const run = spawnSync(appCmd, {
      shell: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf-8',
      env: { ...process.env, CDK8S_OUTDIR: path.join(work, 'dist'), [EXPORT_ENV_VAR]: JSON.stringify({ out, workload, ...request }) },
    });
    if (run.status !== 0 || !existsSync(out)) {
      fail('--app', appCmd, `failed (exit ${run.status ?? run.signal})`, `Its output:\n${run.stderr}`);
    }
    const answer = JSON.parse(readFileSync(out, 'utf-8'));
    if (answer.error) fail('<workload>', workload, 'cannot be debugged', answer.error);
    const customFile = typeof request.customFile === 'string' ? request.customFile : 'debug-custom.json';
    writeFileSync(customFile, `${answer.customJson}\n`);
    if (json) {
      const { args, customJson, podSecurityLevel, minKubectlVersion, labelArgs, annotateArgs, refusal, pullSecretAdvice, pipedFrom } = answer;
      process.stdout.write(`${JSON.stringify({ args, customJson, podSecurityLevel, minKubectlVersion, labelArgs, annotateArgs, refusal, pullSecretAdvice, pipedFrom })}\n`);
    } else {
      const what = request.copyTo === undefined ? 'the Pod' : `the copy '${request.copyTo}'`;
      process.stderr.write(`# ${answer.workload}: wrote ${customFile}; ${what} will be Pod Security '${answer.podSecurityLevel}' with it; `
        + `the command needs kubectl ${answer.minKubectlVersion} or later.\n`);
      for (const warning of [answer.refusal, answer.pullSecretAdvice]) if (warning) process.stderr.write(`# warning: ${warning}\n`);
      const kubectl = (args: string[]) => `kubectl ${args.map(shellQuote).join(' ')}`;
      process.stdout.write(`${[...(answer.pipedFrom ?? []), answer.args].map(kubectl).join(' | ')}\n`);
      for (const args of [answer.labelArgs, answer.annotateArgs]) process.stdout.write(`${kubectl(args)}\n`);
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
