#!/usr/bin/env bash
# Start-up time (issue 12, item 9): hpsearch models and --version, package
# initialisation, binary size, and 2,000 no-op trials against Optuna 3.1,
# each revision built from git and measured side by side in one run.
# Needs Debian's python3-optuna for the no-op comparison.
#   bash benchmarks/startup/run.sh [BEFORE_REV [AFTER_REV]]   (AFTER_REV defaults to HEAD)
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build() { # build REV NAME
  mkdir -p "$work/$2"
  git archive "$1" | tar -x -C "$work/$2"
  (cd "$work/$2" && go build -o "$work/$2.bin" ./cmd/hpsearch)
  echo "$2=$work/$2.bin"
}
args=()
if [ $# -ge 1 ]; then args+=("$(build "$1" before)"); fi
args+=("$(build "${2:-HEAD}" after)")
python3 benchmarks/startup/startup.py "${args[@]}"

# 2,000 no-op trials: the whole process timed, start-up included, best of 5.
trials=2000
for a in "${args[@]}"; do
  name="${a%%=*}"; bin="${a#*=}"
  best=""
  for i in 1 2 3 4 5; do
    s=$(python3 - "$bin" "$work/runs-$name-$i" "$trials" <<'PY'
import subprocess, sys, time, json
t = time.perf_counter()
out = subprocess.run([sys.argv[1], "run", "benchmarks/overhead/noop-random.yaml", "--dir", sys.argv[2],
                      "--max-trials", sys.argv[3], "--quiet", "--json"], check=True, capture_output=True).stdout
print(f"{time.perf_counter() - t:.4f} {json.loads(out)['wall_seconds']:.4f}")
PY
)
    echo "$name hpsearch run trials=$trials process_seconds=${s% *} wall_seconds=${s#* }"
    w=${s% *}
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $w < $best else 1)"; then best=$w; fi
  done
  echo "$name best process seconds $best"
  echo "$best" > "$work/best-$name"
done
o=$(/usr/bin/python3 benchmarks/overhead/optuna_noop.py --trials "$trials")
echo "optuna $o (in-process time, Python start-up and import not counted)"
best_o=$(echo "$o" | sed -E 's/.*wall_seconds=([0-9.]+).*/\1/')
for a in "${args[@]}"; do
  name="${a%%=*}"
  python3 -c "print(f'$name: optuna in memory / hpsearch whole process = {$best_o/$(cat "$work/best-$name"):.1f}x at $trials trials')"
done
