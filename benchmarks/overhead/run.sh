#!/usr/bin/env bash
# Scheduler overhead, hpsearch against Optuna 3.1 side by side in one run.
# Needs Debian's python3-optuna (apt-get install python3-optuna).
#   bash benchmarks/overhead/run.sh [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/../.."
trials="${1:-10000}"
go build -o /tmp/hpsearch-bench ./cmd/hpsearch
runs="$(mktemp -d)"
trap 'rm -rf "$runs"' EXIT
best_h=""
for i in 1 2 3; do
  s=$(/tmp/hpsearch-bench run benchmarks/overhead/noop-random.yaml --dir "$runs" --name "r$i" \
        --max-trials "$trials" --quiet --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["wall_seconds"])')
  echo "hpsearch trials=$trials journal=fsync run=$i wall_seconds=$s"
  if [ -z "$best_h" ] || python3 -c "import sys; sys.exit(0 if $s < $best_h else 1)"; then best_h=$s; fi
done
o=$(/usr/bin/python3 benchmarks/overhead/optuna_noop.py --trials "$trials")
echo "$o"
best_o=$(echo "$o" | sed -E 's/.*wall_seconds=([0-9.]+).*/\1/')
python3 -c "print(f'ratio optuna_memory/hpsearch = {$best_o/$best_h:.1f}x (hpsearch best of 3: {$best_h:.3f}s, optuna in memory: {$best_o:.3f}s)')"
if [ "${SQLITE:-0}" = 1 ]; then
  /usr/bin/python3 benchmarks/overhead/optuna_noop.py --trials 1000 --storage "sqlite:///$runs/optuna.db"
fi
