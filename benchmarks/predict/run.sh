#!/bin/sh
# Predicting 1,000,000 rows with a 100-tree random forest: hpsearch
# against scikit-learn 1.2.1, side by side in one run (see main.go and
# sklearn_side.py). Usage: benchmarks/predict/run.sh [DIR]
# DIR keeps the generated CSVs (default: a temporary directory).
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
go build -o "$dir/predbench" ./benchmarks/predict
"$dir/predbench" -dir "$dir" -generate
"$dir/predbench" -dir "$dir" -repeats 3 >"$dir/go.jsonl"
OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/predict/sklearn_side.py --dir "$dir" --repeats 3 >"$dir/sk.jsonl"
/usr/bin/python3 - "$dir/go.jsonl" "$dir/sk.jsonl" <<'PY'
import json, sys
go = {(r["what"], r["n_jobs"]): r for r in map(json.loads, open(sys.argv[1]))}
sk = {(r["what"], r["n_jobs"]): r for r in map(json.loads, open(sys.argv[2]))}
print("| measurement | n_jobs | hpsearch s (CPU s) | scikit-learn s (CPU s) | hpsearch / sklearn wall (CPU) | accuracy hpsearch / sklearn |")
print("|---|---|---|---|---|---|")
for key in sorted(go):
    g, s = go[key], sk[key]
    print(f"| {key[0]} | {key[1]} | {g['seconds']:.2f} ({g['cpu_seconds']:.2f}) | {s['seconds']:.2f} ({s['cpu_seconds']:.2f}) "
          f"| {g['seconds']/s['seconds']:.2f} ({g['cpu_seconds']/s['cpu_seconds']:.2f}) | {g['accuracy']:.4f} / {s['accuracy']:.4f} |")
PY
