// Runs each README snippet file in turn in this process, with its own
// CDK8S_OUTDIR (cdk8s reads it when an App is created). Started by
// readme-snippets.ts with a JSON list of { file, outdir }.
const jobs: Array<{ file: string; outdir: string }> = JSON.parse(process.argv[2]);
for (const job of jobs) {
  process.env.CDK8S_OUTDIR = job.outdir;
  require(job.file);
}
