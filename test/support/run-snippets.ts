// Runs each app file (a doc snippet or an example's main.ts) in turn in this
// process, in its own working directory, with its own CDK8S_OUTDIR (cdk8s
// reads it when an App is created) and environment. Each is loaded as the main
// module, as `ts-node main.ts` would (so `require.main === module` holds in
// it), and loaded afresh when the same file runs twice. Started by
// readme-snippets.ts with a JSON list of { file, outdir, cwd, env }.
import * as Module from 'module';

const jobs: Array<{ file: string; outdir: string; cwd: string; env?: Record<string, string> }> = JSON.parse(process.argv[2]);
const base = { ...process.env };
for (const job of jobs) {
  for (const key of Object.keys(process.env)) if (!(key in base)) delete process.env[key];
  Object.assign(process.env, base, job.env ?? {}, { CDK8S_OUTDIR: job.outdir });
  process.chdir(job.cwd);
  delete require.cache[job.file];
  (Module as any)._load(job.file, null, true);
}
