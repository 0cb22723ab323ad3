// Runs each README snippet file in turn in this process, with its own
// CDK8S_OUTDIR (cdk8s reads it when an App is created). Each is loaded as the
// main module, as `ts-node snippet.ts` would (so `require.main === module`
// holds in it). Started by readme-snippets.ts with a JSON list of { file, outdir }.
import * as Module from 'module';

const jobs: Array<{ file: string; outdir: string }> = JSON.parse(process.argv[2]);
for (const job of jobs) {
  process.env.CDK8S_OUTDIR = job.outdir;
  (Module as any)._load(job.file, null, true);
}
