#!/usr/bin/env bash
# Search and early stopping against Optuna 3.1, side by side in one run.
# quality: hpsearch's TPE (its default, multivariate) against Optuna's
# default TPESampler, with Optuna's multivariate=True and hpsearch's
# multivariate: false for reference.
# Needs Debian's python3-optuna (/usr/bin/python3 has optuna 3.1).
#   bash benchmarks/search/run.sh [speed|quality|asha|all]
# SEEDS=20 BUDGETS=50,100,200 TRIALS=1000 ASHA_TRIALS=120 override the sizes.
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-all}"
seeds="${SEEDS:-20}"; budgets="${BUDGETS:-50,100,200}"; trials="${TRIALS:-1000}"
if [ "${NOBUILD:-0}" != 1 ]; then # NOBUILD=1 reuses the binaries of the last run
  go build -o /tmp/hpsearch-bench ./cmd/hpsearch
  go build -o /tmp/search-bench ./benchmarks/search
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "date $(date -u +%Y-%m-%dT%H:%MZ)  load average $(cut -d' ' -f1-3 /proc/loadavg)  cpus $(nproc)"

if [ "$what" = speed ] || [ "$what" = all ]; then
  cat > "$out/tpe.yaml" <<YAML
name: tpe-speed
model: branin
search: {method: tpe, max_trials: $trials, parallel: 1, seed: 0}
parameters:
  x1: {min: -5, max: 10}
  x2: {min: 0, max: 15}
YAML
  for i in 1 2 3; do /tmp/search-bench speed -trials "$trials"; done | tee "$out/mem.txt"
  for i in 1 2 3; do
    s=$(/tmp/hpsearch-bench run "$out/tpe.yaml" --dir "$out/runs" --name "r$i" --quiet --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["wall_seconds"])')
    echo "hpsearch run trials=$trials journal=fsync wall_seconds=$s"
  done | tee "$out/cli.txt"
  # The same with the univariate TPE, the algorithm of Optuna's default.
  sed 's/method: tpe,/method: tpe, multivariate: false,/' "$out/tpe.yaml" > "$out/tpe-uni.yaml"
  for i in 1 2 3; do
    s=$(/tmp/hpsearch-bench run "$out/tpe-uni.yaml" --dir "$out/runs" --name "u$i" --quiet --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["wall_seconds"])')
    echo "hpsearch run multivariate=false trials=$trials journal=fsync wall_seconds=$s"
  done | tee "$out/cli-uni.txt"
  /usr/bin/python3 benchmarks/search/optuna_tpe.py speed --trials "$trials" | tee "$out/optuna.txt"
  python3 - "$out" <<'PY'
import re, sys
d = sys.argv[1]
def best(f): return min(float(re.search(r"wall_seconds=([0-9.]+)", l).group(1)) for l in open(f"{d}/{f}"))
m, c, u, o = best("mem.txt"), best("cli.txt"), best("cli-uni.txt"), best("optuna.txt")
print(f"speed: optuna {o:.2f}s, hpsearch in memory {m:.3f}s ({o/m:.0f}x), hpsearch run with fsync'd journal {c:.2f}s ({o/c:.1f}x), "
      f"univariate {u:.2f}s ({o/u:.1f}x)")
PY
fi

if [ "$what" = quality ] || [ "$what" = all ]; then
  # hpsearch's TPE with its defaults (multivariate) and with multivariate:
  # false; Optuna's TPESampler with its defaults (independent) and with
  # multivariate=True. Same seeds, same budgets, 10 random startup trials.
  for f in branin hartmann6 rosenbrock; do
    { /tmp/search-bench quality -function "$f" -seeds "$seeds" -budgets "$budgets" > "$out/h-$f.jsonl"
      /tmp/search-bench quality -function "$f" -seeds "$seeds" -budgets "$budgets" -search "multivariate: false" > "$out/hu-$f.jsonl"
      /usr/bin/python3 benchmarks/search/optuna_tpe.py quality --function "$f" --seeds "$seeds" --budgets "$budgets" --multivariate > "$out/om-$f.jsonl"; } &
    /usr/bin/python3 benchmarks/search/optuna_tpe.py quality --function "$f" --seeds "$seeds" --budgets "$budgets" > "$out/o-$f.jsonl"
    wait
  done
  python3 - "$out" "$budgets" <<'PY'
import json, sys, statistics
d, budgets = sys.argv[1], sys.argv[2].split(",")
def q(xs, p):
    xs = sorted(xs); k = (len(xs) - 1) * p; i = int(k)
    return xs[i] + (xs[min(i + 1, len(xs) - 1)] - xs[i]) * (k - i)
def cell(xs): return f"{statistics.median(xs):.4f} | {q(xs,.75)-q(xs,.25):.4f}"
print("| function | trials | hpsearch TPE median | IQR | Optuna TPE median | IQR | ours at least as good "
      "| Optuna multivariate median | IQR | hpsearch univariate median | IQR |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
met = 0
for f in ["branin", "hartmann6", "rosenbrock"]:
    runs = {k: [json.loads(l)["best"] for l in open(f"{d}/{k}-{f}.jsonl")] for k in ["h", "o", "om", "hu"]}
    for b in budgets:
        v = {k: [x[b] for x in r] for k, r in runs.items()}
        ok = statistics.median(v["h"]) <= statistics.median(v["o"])
        met += ok
        print(f"| {f} | {b} | {cell(v['h'])} | {cell(v['o'])} | {'yes' if ok else 'no'} | {cell(v['om'])} | {cell(v['hu'])} |")
print(f"hpsearch's default at least as good as Optuna's default in {met} of {3 * len(budgets)} cells")
PY
fi

if [ "$what" = asha ] || [ "$what" = all ]; then
  /tmp/search-bench asha -max-trials "${ASHA_TRIALS:-120}" -seed 1 | tee "$out/asha.json"
  python3 - "$out/asha.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a, f = r["asha"], r["full"]
print(f"| study | configurations | invocations | best CV accuracy | fit seconds (sum) |")
print(f"|---|---|---|---|---|")
print(f"| full budget (max_iter 81) | {r['configurations']} | {f['trials']} | {f['best']:.4f} | {f['fit_seconds']:.1f} |")
print(f"| ASHA (max_iter 3..81, eta 3) | {r['configurations']} | {a['trials']} | {a['best']:.4f} | {a['fit_seconds']:.1f} |")
print(f"gap {f['best']-a['best']:+.4f} (goal <= 0.005), fit seconds ratio {a['fit_seconds']/f['fit_seconds']:.2f} (goal <= 0.33)")
PY
fi
