#!/usr/bin/env bash
# Instruction counts of the benchmark's worker processes (valgrind callgrind):
# what a synth costs, measured in a way other jobs on the machine do not
# disturb, where wall and CPU time on a shared 2-core VM spread by ±20%.
#
#   bash bench/instructions.sh [reps=3] [n=1000] [variants="plain debug-off"]
#
# Each sample is a fresh `node --single-threaded` running bench/worker.js under
# callgrind (about 90 s at N=1000, 15 min at N=10000). The cost of the work
# is total(N) - total(1) of the same variant (module loading and start-up
# cancel out). Prints one line per sample, then the medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}; N=${2:-1000}; VARIANTS=${3:-"plain debug-off"}
command -v valgrind >/dev/null || { echo "bench/instructions.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
npx tsc -p bench/tsconfig.json
OUT=$(mktemp -d)
# A frozen copy, so that editing src/ while this runs changes nothing.
cp -r bench/out "$OUT/out"
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --smc-check=all-non-file \
    node --single-threaded "$OUT/out/bench/worker.js" --variant "$1" --n "$2" 2>&1 |
    awk -v v="$1" -v n="$2" '/Collected/ { print v, n, $4 }'
}
for rep in $(seq "$REPS"); do
  for v in $VARIANTS; do ir "$v" 1; ir "$v" "$N"; done
done | tee "$OUT/samples.txt"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf-8").trim().split("\n").map(l => l.split(" "));
const base = {}, work = {};
for (const [v, n, ir] of lines) {
  if (n === "1") base[v] = Number(ir);
  else (work[v] ??= []).push(Number(ir) - base[v]);
}
const med = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const first = Object.keys(work)[0];
for (const [v, xs] of Object.entries(work)) {
  console.log(`${v}: work ${(med(xs) / 1e9).toFixed(3)} G instructions (${xs.map(x => (x / 1e9).toFixed(3)).join(", ")})`
    + (v === first ? "" : `, ${(med(xs) / med(work[first])).toFixed(4)}x ${first}`));
}' "$OUT/samples.txt"
rm -rf "$OUT"
