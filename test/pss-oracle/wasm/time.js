// Times one engine on wasm/pod.json (both levels per evaluation), as docs/pod-security-engine.md reports it:
//   node time.js js <dir with pss.wasm and wasm_exec.js> | wasi <pss.wasm> | ts <compiled src/pod-security/evaluator/checks.js> [version]
const fs = require('fs');
const path = require('path');

const pod = JSON.parse(fs.readFileSync(path.join(__dirname, 'pod.json'), 'utf8'));
const [kind, where, version = 'latest'] = process.argv.slice(2);
const request = JSON.stringify({ version, template: pod });

function time(call, warm, n) {
  const f = performance.now();
  const level = call();
  const firstCallMs = performance.now() - f;
  for (let i = 0; i < warm; i++) call();
  const s = performance.now();
  for (let i = 0; i < n; i++) call();
  return { level, firstCallMs: +firstCallMs.toFixed(2), perEvalUs: +((performance.now() - s) / n * 1000).toFixed(1) };
}

(async () => {
  const t0 = performance.now();
  let out;
  if (kind === 'ts') {
    const checks = require(path.resolve(where));
    const loadMs = performance.now() - t0;
    const call = () => {
      const b = checks.podSecurityViolations(pod.spec, pod.metadata, 'baseline', version);
      const r = checks.podSecurityViolations(pod.spec, pod.metadata, 'restricted', version);
      return r.length === 0 ? 'restricted' : b.length === 0 ? 'baseline' : 'privileged';
    };
    out = { loadMs: +loadMs.toFixed(1), ...time(call, 20000, 200000) };
  } else if (kind === 'js') {
    require(path.resolve(where, 'wasm_exec.js'));
    const bytes = fs.readFileSync(path.resolve(where, 'pss.wasm'));
    const t1 = performance.now();
    const go = new Go();
    const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
    const t2 = performance.now();
    go.run(instance);
    const t3 = performance.now();
    const call = () => JSON.parse(globalThis.pssEvaluate(request)).level;
    out = { readMs: +(t1 - t0).toFixed(1), instantiateMs: +(t2 - t1).toFixed(1), goInitMs: +(t3 - t2).toFixed(1), ...time(call, 2000, 20000) };
  } else if (kind === 'wasi') {
    const { WASI } = require('node:wasi');
    const bytes = fs.readFileSync(path.resolve(where));
    const t1 = performance.now();
    const wasi = new WASI({ version: 'preview1', args: ['pss'], env: {} }); // klog's init reads os.Args[0]
    const { instance } = await WebAssembly.instantiate(bytes, { wasi_snapshot_preview1: wasi.wasiImport });
    const t2 = performance.now();
    wasi.initialize(instance);
    const t3 = performance.now();
    const { pss_alloc, pss_evaluate, pss_out, memory } = instance.exports;
    const input = Buffer.from(request);
    const call = () => {
      const p = pss_alloc(input.length);
      new Uint8Array(memory.buffer, p, input.length).set(input);
      const n = pss_evaluate(input.length);
      return JSON.parse(Buffer.from(new Uint8Array(memory.buffer, pss_out(), n)).toString()).level;
    };
    out = { readMs: +(t1 - t0).toFixed(1), instantiateMs: +(t2 - t1).toFixed(1), goInitMs: +(t3 - t2).toFixed(1), ...time(call, 2000, 20000) };
  } else {
    throw new Error('usage: node time.js js|wasi|ts <path> [version]');
  }
  console.log(JSON.stringify({ kind, rssMB: Math.round(process.memoryUsage().rss / 1e6), ...out }));
  process.exit(0);
})();
