#!/usr/bin/env bash
# 100,000-trial studies (issue 15 items 3 and 4): run, leaderboard and
# resume of a no-op study, its journal's bytes a trial, and TPE at 10,000
# sequential trials, for the binary built from BEFORE (a git revision)
# and from the working tree, side by side in one run. Peak memory is
# /usr/bin/time's maximum resident set; cpu is user + system seconds.
#   BEFORE=21603252 bash benchmarks/scale/run.sh [TRIALS] [TPE_TRIALS]
set -euo pipefail
cd "$(dirname "$0")/../.."
trials="${1:-100000}"; tpe="${2:-10000}"; before="${BEFORE:-21603252}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir "$out/src"
git archive "$before" | tar -x -C "$out/src"
(cd "$out/src" && go build -o "$out/hp-before" ./cmd/hpsearch)
go build -o "$out/hp-after" ./cmd/hpsearch
echo "date $(date -u +%Y-%m-%dT%H:%MZ)  load average $(cut -d' ' -f1-3 /proc/loadavg)  cpus $(nproc)  before $before  after $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo +changes)"
cat > "$out/tpe.yaml" <<YAML
name: tpe
model: branin
search: {method: tpe, max_trials: $tpe, parallel: 1, seed: 0}
parameters:
  x1: {min: -5, max: 10}
  x2: {min: 0, max: 15}
YAML
measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$@" > "$out/stdout" 2> "$out/stderr" || { echo "$label failed:"; tail -3 "$out/stderr"; return 0; }
  read -r wall user sys rss < "$out/time"
  printf '%-34s wall %6.2f s  cpu %6.2f s  peak %5d MB\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"
}
for side in before after; do
  hp="$out/hp-$side"
  measure "$side run $trials noop" "$hp" run benchmarks/overhead/noop-random.yaml --dir "$out/$side" --name s --max-trials "$trials" --quiet --json
  j="$out/$side/s/journal.jsonl"
  printf '%-34s %d bytes, %d a trial\n' "$side journal" "$(stat -c %s "$j")" "$(( $(stat -c %s "$j") / trials ))"
  measure "$side leaderboard" "$hp" leaderboard "$out/$side/s"
  measure "$side resume (nothing to run)" "$hp" resume "$out/$side/s" --quiet
  measure "$side tpe $tpe trials parallel 1" "$hp" run "$out/tpe.yaml" --dir "$out/$side" --quiet --json
done
