#!/usr/bin/env bash
# The reads of a finished 100,000-trial study (issue 15 item 4: under
# 150 MB), before and after, alternated: leaderboard, report, best and
# export of a no-op study kept in S3 (Lambda backend on
# emulate --simulate, parallel 1,000: its results carry REPORT figures,
# its journal checkpoints and deltas as a rehearsal's do) and of the same
# study in a directory (local backend). For each it prints wall, CPU
# (user + sys), peak resident memory (/usr/bin/time) and whether the
# output is the before binary's, byte for byte.
#
#   BEFORE=8af942e bash benchmarks/scale/reads.sh [TRIALS] [ROUNDS]
#
# hpsearch "before" is built from the git revision BEFORE, "after" from
# AFTER (default HEAD), both with git archive, so uncommitted work in the
# tree is not measured. The after binary writes both studies.
set -euo pipefail
cd "$(dirname "$0")/../.."
trials="${1:-100000}"; rounds="${2:-2}"; before="${BEFORE:-8af942e}"; after="${AFTER:-HEAD}"
out="$(mktemp -d /tmp/reads.XXXXXX)"
emu_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT
for side in before after; do
  rev="$before"; [ "$side" = after ] && rev="$after"
  mkdir "$out/src-$side" && git archive "$rev" | tar -x -C "$out/src-$side"
  (cd "$out/src-$side" && go build -o "$out/hp-$side" ./cmd/hpsearch)
done
echo "date $(date -u +%Y-%m-%dT%H:%MZ)  load average $(cut -d' ' -f1-3 /proc/loadavg)  cpus $(nproc)  before $(git rev-parse --short "$before")  after $(git rev-parse --short "$after")"
spec() { # name, backend line
  cat <<YAML
name: $1
model: noop
search: {method: random, max_trials: $trials, parallel: 1000, seed: 0}
parameters:
  x: {min: -10.0, max: 10.0}
  lr: {min: 0.00001, max: 1.0, log: true}
  kind: {values: [a, b, c]}
$2
YAML
}
spec s3 "backend: {type: lambda, concurrency: 1000}" > "$out/s3.yaml"
spec dir "" > "$out/dir.yaml"
"$out/hp-after" emulate --simulate --workers 1000 --trial-seconds 0.05 --port 0 --dir "$out/emu" > "$out/emu.env" 2> "$out/emu.err" &
emu_pid=$!
for _ in $(seq 120); do grep -q HPSEARCH_SIMULATED "$out/emu.env" 2>/dev/null && break; sleep 1; done
grep -q HPSEARCH_SIMULATED "$out/emu.env" || { echo "emulate did not start:"; tail -5 "$out/emu.err"; exit 1; }
eval "$(grep ^export "$out/emu.env")"
"$out/hp-after" run "$out/s3.yaml" --dir s3://hpsearch/reads --quiet > /dev/null
"$out/hp-after" run "$out/dir.yaml" --dir "$out/runs" --quiet > /dev/null
echo "studies: $trials no-op trials in s3://hpsearch/reads/s3 and a directory (journal $(stat -c %s "$out/runs/dir/journal.jsonl") bytes)"
measure() { # side, label, output file, command...
  local side="$1" label="$2" file="$3"; shift 3
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$@" > "$out/stdout" 2> "$out/stderr" || { echo "$side $label failed:"; tail -3 "$out/stderr"; return 0; }
  [ "$file" = - ] && file="$out/stdout"
  local sum; sum=$(md5sum < "$file" | cut -c1-8)
  local same=""
  if [ "$side" = before ]; then echo "$sum" > "$out/sum.$label"; elif [ "$sum" = "$(cat "$out/sum.$label")" ]; then same="same output"; else same="OUTPUT DIFFERS"; fi
  read -r wall user sys rss < "$out/time"
  printf '%-6s %-22s wall %6.2f s  cpu %6.2f s  peak %4d MB  %s\n' "$side" "$label" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" "$same"
}
for round in $(seq "$rounds"); do
  for side in before after; do
    hp="$out/hp-$side"
    for where in s3 dir; do
      study=s3://hpsearch/reads/s3; [ "$where" = dir ] && study="$out/runs/dir"
      measure "$side" "$where leaderboard" - "$hp" leaderboard "$study" --top 10
      measure "$side" "$where report" "$out/report.html" "$hp" report "$study" -o "$out/report.html"
      measure "$side" "$where best" - "$hp" best "$study"
      measure "$side" "$where export" "$out/export.csv" "$hp" export "$study" --output "$out/export.csv"
    done
  done
done
