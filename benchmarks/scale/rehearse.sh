#!/usr/bin/env bash
# The headline study of issue 15, rehearsed end to end on this machine: a
# TPE study of TRIALS trials (default 100,000) on 1,000 simulated Lambda
# environments (hpsearch emulate --simulate, trials of SECONDS each), kept
# in the emulation's S3, its scheduler killed (SIGKILL) once about half
# the trials have results, resumed to the end, then read back with
# leaderboard, report, best and export. For each step it prints wall (and
# the ideal makespan where there is one), the process's CPU (user + sys;
# a trial, for run and resume), peak resident memory, and the S3 requests
# it made (the scheduler's S3 traffic goes through s3count, a counting
# proxy; the simulated workers store their results directly). Then it
# checks from the journal's segments that every trial number has exactly
# one result, and prints the TPE ask's CPU from the resume's profile.
#
#   bash benchmarks/scale/rehearse.sh [TRIALS] [SECONDS]
#   REV=HEAD KEEP=1 bash benchmarks/scale/rehearse.sh 10000 1
#
# hpsearch is built from the working tree, or from the git revision REV,
# or BIN is used; KEEP=1 keeps the work directory (the emulation's S3
# data, logs, the report and the profile).
set -euo pipefail
cd "$(dirname "$0")/../.."
trials="${1:-100000}"; seconds="${2:-1}"; parallel=1000
out="$(mktemp -d /tmp/rehearse.XXXXXX)"
emu_pid=""; px_pid=""
cleanup() {
  [ -n "$px_pid" ] && kill "$px_pid" 2>/dev/null || true
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $out"; else rm -rf "$out"; fi
}
trap cleanup EXIT

bin="${BIN:-}"
if [ -z "$bin" ] && [ -n "${REV:-}" ]; then # a committed revision, not the working tree
  mkdir "$out/src" && git archive "$REV" | tar -x -C "$out/src"
  bin="$out/hpsearch"; (cd "$out/src" && go build -o "$bin" ./cmd/hpsearch)
elif [ -z "$bin" ]; then
  bin="$out/hpsearch"; go build -o "$bin" ./cmd/hpsearch
fi
go build -o "$out/s3count" ./benchmarks/scale/s3count
rev="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo +changes)"
[ -n "${REV:-}" ] && rev="$(git rev-parse --short "$REV")"
[ -n "${BIN:-}" ] && rev="$BIN"
echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)  load average $(cut -d' ' -f1-3 /proc/loadavg)  cpus $(nproc)  hpsearch $rev"
echo "study: $trials TPE trials of ${seconds}s, parallel $parallel, on emulate --simulate --workers $parallel, --dir s3://hpsearch/rehearsal"

cat > "$out/tpe.yaml" <<YAML
name: tpe
model: noop
search: {method: tpe, max_trials: $trials, parallel: $parallel, seed: 1}
parameters:
  x: {min: -10.0, max: 10.0}
  lr: {min: 0.00001, max: 1.0, log: true}
  depth: {distribution: int_uniform, min: 1, max: 12}
  kind: {values: [a, b, c]}
backend: {type: lambda, concurrency: $parallel}
YAML

"$bin" emulate --simulate --workers "$parallel" --trial-seconds "$seconds" --port 0 --dir "$out/emu" > "$out/emu.env" 2> "$out/emu.err" &
emu_pid=$!
for _ in $(seq 120); do grep -q HPSEARCH_SIMULATED "$out/emu.env" 2>/dev/null && break; sleep 1; done
grep -q HPSEARCH_SIMULATED "$out/emu.env" || { echo "emulate did not start:"; tail -5 "$out/emu.err"; exit 1; }
eval "$(grep ^export "$out/emu.env")"
gateway="$AWS_ENDPOINT_URL_S3"
"$out/s3count" -target "$gateway" -log "$out/s3.log" > "$out/s3count.addr" 2> "$out/s3count.err" &
px_pid=$!
for _ in $(seq 20); do [ -s "$out/s3count.addr" ] && break; sleep 0.5; done
export AWS_ENDPOINT_URL_S3="$(head -1 "$out/s3count.addr")"
study=s3://hpsearch/rehearsal/tpe
s3root="$out/emu/s3/hpsearch"

ideal() { # trials, seconds, cold start (s): waves of SECONDS plus a cold start
  echo "scale=1; (($1 + $parallel - 1) / $parallel) * $2 + $3" | bc
}
# measure LABEL TRIALS_RUN command...: wall, CPU, peak and S3 requests of one step.
measure() {
  local label="$1" n="$2"; shift 2
  local before; before=$(wc -l < "$out/s3.log")
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$@" > "$out/$label.out" 2> "$out/$label.err" || true
  report_step "$label" "$n" "$before"
}
report_step() { # label, trials run (0: none), s3.log lines before the step
  local wall user sys rss
  read -r wall user sys rss < <(grep -v '^Command' "$out/time" | tail -1)
  local cpu; cpu=$(echo "$user + $sys" | bc)
  local reqs=$(( $(wc -l < "$out/s3.log") - $3 ))
  local per=""
  [ "$2" -gt 0 ] && per=$(printf '  %4.0f us a trial' "$(echo "$cpu * 1000000 / $2" | bc -l)")
  printf '%-22s wall %7.2f s  cpu %7.2f s%s  peak %4d MB  S3 requests %d\n' "$1" "$wall" "$cpu" "$per" "$((rss / 1024))" "$reqs"
}
# stored: the results the simulated workers have stored, for the kill's timing.
stored() { find "$s3root/results" -type f -name '*.json' 2>/dev/null | wc -l; }
# journaled: the results in the study's journal (its segments on the gateway's disk).
journaled() { find "$s3root/rehearsal/tpe/journal" -name "*.jsonl" -exec cat {} + | grep -c '^{"type":"result"' || true; }

# 1. run, killed once about half the trials have results.
half=$((trials / 2))
before=$(wc -l < "$out/s3.log")
/usr/bin/time -f "%e %U %S %M" -o "$out/time" "$bin" run "$out/tpe.yaml" --dir s3://hpsearch/rehearsal --quiet > "$out/run.out" 2> "$out/run.err" &
time_pid=$!
run_pid=""
for _ in $(seq 100); do run_pid=$(pgrep -P "$time_pid" || true); [ -n "$run_pid" ] && break; sleep 0.1; done
until [ "$(stored)" -ge "$half" ] || ! kill -0 "$time_pid" 2>/dev/null; do sleep 0.5; done
kill -KILL "$run_pid" 2>/dev/null || true
wait "$time_pid" 2>/dev/null || true
killed_at=$(journaled)
report_step "run (SIGKILL at half)" 0 "$before"
cp "$out/time" "$out/run.time"
echo "  results in the journal at the kill: $killed_at (stored by the workers: $(stored))"

# 2. the killed study read back (leaderboard): the requests a resume's read makes too.
measure "leaderboard (killed)" 0 "$bin" leaderboard "$study" --top 3

# 3. resume to the end, with a CPU profile for the TPE ask's share.
before=$(wc -l < "$out/s3.log")
/usr/bin/time -f "%e %U %S %M" -o "$out/time" env HPSEARCH_CPUPROFILE="$out/resume.prof" "$bin" resume "$study" --quiet > "$out/resume.out" 2> "$out/resume.err" || true
# "resuming STUDY: D trials done, R to run again, new trials from F"
read -r done rerun first < <(sed -n 's/.*: \([0-9]*\) trials done, \([0-9]*\) to run again, new trials from \([0-9]*\).*/\1 \2 \3/p' "$out/resume.err" | head -1)
report_step "resume" "$((trials - done))" "$before"
read -r _ user sys _ < <(grep -v '^Command' "$out/run.time" | tail -1)
printf '  run: %.0f us a trial over the %d trials it started\n' "$(echo "($user + $sys) * 1000000 / $first" | bc -l)" "$first"
echo "  resume: $done trials done at its start ($(grep -o 'results of [0-9]* trials' "$out/resume.err" | head -1 || echo 'no results') recovered from the workers' stored results), $rerun to run again, new trials from $first"
# The resume's read: its requests before its first PUT, those of the journal apart.
tail -n +"$((before + 1))" "$out/s3.log" | awk '$2 == "PUT" {exit} {n++} $3 ~ /results/ {if ($3 ~ /list-type/) l++; else r++}
  END {printf "  resume read: %d requests before its first PUT: %d of the study (spec, journal), %d LISTs and %d GETs of the results the workers stored\n", n, n - l - r, l, r}'  || true  # awk stops at the first PUT: tail then dies of SIGPIPE, which pipefail would make fatal
run_wall=$(grep -v '^Command' "$out/run.time" | tail -1 | cut -d' ' -f1)
resume_wall=$(grep -v '^Command' "$out/time" | tail -1 | cut -d' ' -f1)
ideal_s=$(ideal "$trials" "$seconds" 0.1)
printf '  the study: run %.1f s + resume %.1f s = %.1f s against an ideal makespan of %s s (%d waves of %s s and a 100 ms cold start): %.2fx\n' \
  "$run_wall" "$resume_wall" "$(echo "$run_wall + $resume_wall" | bc)" "$ideal_s" "$(( (trials + parallel - 1) / parallel ))" "$seconds" \
  "$(echo "($run_wall + $resume_wall) / $ideal_s" | bc -l)"

# 4. reads of the finished study.
measure "leaderboard" 0 "$bin" leaderboard "$study" --top 3
measure "report" 0 "$bin" report "$study" -o "$out/report.html"
echo "  report: $(( $(stat -c %s "$out/report.html") / 1024 )) KiB"
measure "best" 0 "$bin" best "$study"
measure "export (jsonl)" 0 "$bin" export "$study" --format jsonl --output "$out/trials.jsonl"

# 5. exactly once: from the journal's segments (the gateway's files) and the export.
python3 - "$s3root/rehearsal/tpe/journal" "$out/trials.jsonl" "$trials" "$first" "$parallel" <<'PY'
import json, os, sys, collections, datetime
seg_dir, export, n, first, parallel = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
dispatch, result, attempts = collections.Counter(), collections.Counter(), collections.Counter()
states = collections.Counter()
sent, done, recovered = {}, {}, set()
def ts(s):  # RFC 3339 with nanoseconds, to seconds
    day, frac = s.rstrip("Z").split(".") if "." in s else (s.rstrip("Z"), "0")
    return datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + frac)
segs = sorted(os.listdir(seg_dir))
for name in segs:
    with open(os.path.join(seg_dir, name)) as f:
        for line in f:
            e = json.loads(line)
            if e["type"] == "dispatch":
                t = e["trial"]; dispatch[t["number"]] += 1; attempts[t.get("attempt", 1)] += 1
                sent.setdefault(t["number"], ts(e["time"]))
            elif e["type"] == "result":
                r = e["result"]; result[r["number"]] += 1; states[r.get("state", "?")] += 1
                done[r["number"]] = ts(e["time"])
                if r.get("backend", {}).get("recovered"):
                    recovered.add(r["number"])
# Did the scheduler keep its slots full? Mean trials in flight, from the
# journal's times of each trial's dispatch and result (their commits),
# for the run (before the kill) and the resume (its new trials).
for label, nums in (("run", [k for k in done if k < first and k not in recovered and k in sent]),
                    ("resume", [k for k in done if k >= first and k in sent])):
    if nums:
        span = max(done[k] for k in nums) - min(sent[k] for k in nums)
        busy = sum(done[k] - sent[k] for k in nums)
        print(f"{label}: {len(nums)} trials, mean {busy / len(nums):.2f} s from dispatch to result, "
              f"mean {busy / span:.0f} in flight of {parallel} over {span:.1f} s")
want = set(range(n))
print(f"journal: {len(segs)} segments, {sum(dispatch.values())} dispatches {dict(sorted(attempts.items()))} by attempt, "
      f"{sum(result.values())} results {dict(states)}")
missing = want - set(result)
dup = [k for k, c in result.items() if c > 1]
extra = set(result) - want
print(f"  trials without a result: {len(missing)}; with more than one: {len(dup)}; numbered outside 0..{n-1}: {len(extra)}")
rows = [json.loads(l) for l in open(export)]
nums = collections.Counter(r["number"] for r in rows)
print(f"export: {len(rows)} rows, {len(nums)} distinct numbers, {sum(1 for c in nums.values() if c > 1)} repeated, "
      f"states {dict(collections.Counter(r['state'] for r in rows))}")
ok = not missing and not dup and not extra and len(rows) == n and len(nums) == n
print("every trial ran exactly once: " + ("yes" if ok else "NO"))
PY
echo "  trials run twice on Lambda (a second attempt's stored result): $(find "$s3root/results" -type f -name '2.json' | wc -l)"

# 6. TPE's ask in the resume, from its profile.
asks=$((trials - first))
go tool pprof -top -cum "$out/resume.prof" 2>/dev/null | awk -v n="$asks" '
  /Total samples/ {print "  resume profile: " $0}
  /tpeSampler\)\.Ask$/ {v=$4; u=1; if (v ~ /ms$/) u=0.001; sub(/m?s$/, "", v); printf "  TPE Ask: %.2f s of CPU over about %d asks, %.0f us an ask\n", v*u, n, v*u*1e6/n}'

# The simulator's own CPU (it runs the workers in-process) and its
# children's (the S3 gateway), which share the cores with the scheduler.
cputime() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
emu_cpu=$(cputime "$emu_pid")
kids=""; for k in $(pgrep -P "$emu_pid" || true); do kids="$kids $(ps -o comm= -p "$k") $(cputime "$k") s CPU"; done
printf 'emulate: %s s CPU (%.0f us a trial); its children:%s\n' "$emu_cpu" "$(echo "$emu_cpu * 1000000 / $trials" | bc -l)" "$kids"
kill -INT "$emu_pid" 2>/dev/null || true
wait "$emu_pid" 2>/dev/null || true
emu_pid=""
grep -o 'late_answers=[0-9]*' "$out/emu.err" | tail -1 | sed 's/^/emulate: /' || true
