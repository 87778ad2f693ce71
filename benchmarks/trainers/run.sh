#!/usr/bin/env bash
# Every model family against scikit-learn (same folds, same preprocessing,
# single-threaded), and datasets.Load on CSV and Parquet, 10k to 1M rows.
# Needs Debian's python3-sklearn for /usr/bin/python3.
#   bash benchmarks/trainers/run.sh [REPS]            # everything, about 15 min at low load on 2 cores
#   PARTS="digits diabetes" bash benchmarks/trainers/run.sh
# PARTS is any of: digits diabetes synth20k slow20k load (default: all).
# Tables go to stdout and to $OUT/*.md (default /tmp/hpsearch-trainers-bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
reps="${1:-3}"
parts="${PARTS:-digits diabetes synth20k slow20k load}"
out="${OUT:-/tmp/hpsearch-trainers-bench}"
mkdir -p "$out"
bin="$out/trainers-bench"
go build -o "$bin" ./benchmarks/trainers

# The tree may hold other people's uncommitted work: name the commit and
# fingerprint the working tree the binary was built from.
dirty=""
if ! git diff --quiet HEAD -- trainers worker datasets || [ -n "$(git ls-files --others --exclude-standard -- trainers worker datasets)" ]; then
  dirty=" + uncommitted changes in trainers/worker/datasets (fingerprint $( { git diff HEAD -- trainers worker datasets; git ls-files --others --exclude-standard -z -- trainers worker datasets | xargs -0r cat; } | sha256sum | cut -c1-12))"
fi
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)$dirty"
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(go version | cut -d' ' -f3); scikit-learn $(/usr/bin/python3 -c 'import sklearn; print(sklearn.__version__)')"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
git status --short -- trainers worker datasets | sed 's/^/# changed: /'

has() { [[ " $parts " == *" $1 "* ]]; }

compare() { # NAME ARGS...: one comparison table into $out/NAME.md
  local name="$1"; shift
  echo; echo "## $name"
  "$bin" --peer --reps "$reps" "$@" | tee "$out/$name.md"
}

has digits && compare digits --data digits
has diabetes && compare diabetes --data diabetes
has synth20k && compare synth20k --data synth20k \
  --families knn,decision_tree,random_forest,gradient_boosting,logistic_regression,linear_svm,naive_bayes,mlp,ridge
# The golearn-based families can be slow on 20,000 rows: give each one
# repetition's worth of budget and skip it if a repetition takes more than
# about 6 minutes on both sides together.
if has slow20k; then
  for f in bernoulli_nb id3; do
    echo; echo "## synth20k-$f"
    if ! timeout 360 "$bin" --peer --reps 2 --budget 2m --data synth20k --families "$f" | tee "$out/synth20k-$f.md"; then
      echo "$f on synth20k: skipped, one repetition took more than 6 minutes" | tee "$out/synth20k-$f.md"
    fi
  done
fi

if has load; then
  echo; echo "## load"
  data="$out/load"
  for rows in 10000 100000 1000000; do
    [ -f "$data/load-$rows.parquet" ] || "$bin" --gen-load "$data" --rows "$rows" --cols 50 >&2
  done
  {
    echo "| file | rows | MiB on disk | seconds (min of 3) | peak RSS MiB (max of 3) | X MiB | X checksum |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for rows in 10000 100000 1000000; do
      for ext in csv parquet; do
        for i in 1 2 3; do "$bin" --load "$data/load-$rows.$ext"; done |
          awk '{for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                if (min == "" || v["seconds"] < min) min = v["seconds"]
                if (v["vmhwm_mib"] > peak) peak = v["vmhwm_mib"]
                file = v["file"]; r = v["rows"]; size = v["bytes"] / 1048576; x = v["x_mib"]; ck = v["checksum"]; sum[ck] = 1}
               END {n = 0; for (k in sum) n++; if (n != 1) file = file " (checksums differ!)"
                    printf "| %s | %d | %.1f | %.3f | %.1f | %.1f | %s |\n", file, r, size, min, peak, x, ck}'
      done
    done
  } | tee "$out/load.md"
fi
echo; echo "# done $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
