#!/usr/bin/env bash
# The Lambda backend against the emulation (runtime interface emulator +
# the real worker binary + router + Versity S3 gateway), side by side with
# the local backend. Builds the worker and, on first use, the emulator's
# tools (cached under ~/.cache/hpsearch), then runs every measurement.
#   bash benchmarks/lambda/run.sh [extra flags, e.g. --reps 5]
# Tables (markdown) on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "uptime before: $(uptime)"
echo
go run ./benchmarks/lambda --all "$@"
echo
echo "uptime after: $(uptime)"
