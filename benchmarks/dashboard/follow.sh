#!/usr/bin/env bash
# The dashboard following a growing study (issue 15 item 4, reads of a
# 100,000-trial study under 150 MB): starts `hpsearch dashboard` on a
# study directory holding the first lines of SOURCE's journal, appends
# the rest in STEPS steps (as a running scheduler would, a step cut in
# the middle of a record now and then), and after each step asks what
# the study page polls (/api/studies, /api/studies/0 and a table page)
# once the server's one-second reuse has passed. Prints each read's time
# and resident memory and the CPU seconds the server has used so far
# (user + system), then the peak (VmHWM), then a first page load of the
# finished study on a fresh server. SOURCE is a study directory,
# such as the 100,000-trial no-op one benchmarks/scale/run.sh makes.
#   bash benchmarks/dashboard/follow.sh BINARY SOURCE_DIR [STEPS]
set -euo pipefail
bin="$1"; src="$2"; steps="${3:-20}"
out="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$out"' EXIT
mkdir "$out/s"
cp "$src/spec.json" "$src/spec.yaml" "$out/s/"
j="$src/journal.jsonl"
size=$(stat -c %s "$j")
echo "date $(date -u +%Y-%m-%dT%H:%MZ)  load average $(cut -d' ' -f1-3 /proc/loadavg)  binary $bin  journal $size bytes  steps $steps"
start() { # dir: starts the dashboard, sets pid and url
  "$bin" dashboard "$1" --addr 127.0.0.1:0 > "$out/url" 2> "$out/stderr" &
  pid=$!
  for _ in $(seq 600); do [ -s "$out/url" ] && break; sleep 0.1; done
  url="$(head -1 "$out/url")"
}
page() { # times what the study page polls
  local t0 t1
  t0=$(date +%s.%N)
  curl -sf "${url}api/studies" > "$out/studies"
  curl -sf "${url}api/studies/0" > /dev/null
  curl -sf "${url}api/studies/0/trials?limit=50" > /dev/null
  t1=$(date +%s.%N)
  printf '%6.2f s  rss %4d MB  cpu %6.2f s  complete %s\n' "$(echo "$t1 - $t0" | bc)" \
    "$(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 ))" \
    "$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/$pid/stat)" \
    "$(jq '.[0].trials.complete' "$out/studies")"
}
# The first step: a tenth of the journal, cut at a line.
head -c $((size / 10)) "$j" | sed '$d' > "$out/s/journal.jsonl"
start "$out/s"
printf 'first read    '; page
done_bytes=$(stat -c %s "$out/s/journal.jsonl")
for i in $(seq "$steps"); do
  to=$(( size / 10 + (size - size / 10) * i / steps ))
  dd if="$j" iflag=skip_bytes,count_bytes skip="$done_bytes" count=$((to - done_bytes)) status=none >> "$out/s/journal.jsonl"
  done_bytes=$to
  sleep 1.1
  printf 'step %2d/%2d   ' "$i" "$steps"; page
done
echo "following: peak $(( $(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024 )) MB"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
start "$out/s"
printf 'first page of the finished study, fresh server   '; page
echo "first page: peak $(( $(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024 )) MB"
