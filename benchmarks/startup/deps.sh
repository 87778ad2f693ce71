#!/usr/bin/env bash
# What hpsearch's dependencies cost at start-up: builds programs that only
# link (blank-import) the packages cmd/hpsearch links, less one group at a
# time, and measures them with startup.py beside a hello world. Go runs
# every linked package's init, whatever the command, so this is the most a
# command could save by not linking a group. The 3p programs link only the
# other modules' packages (hpsearch's own inits cost a few tenths of a
# millisecond, see TestStartupDoesNoWorkInOurPackages), less one module
# group at a time, and std links only the standard library's: the floor
# that group by group the dependencies build on.
#   bash benchmarks/startup/deps.sh            (N=runs, default 50)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
go list -deps ./cmd/hpsearch | grep -v -E '^(runtime|unsafe|C$)|(^|/)internal(/|$)|^vendor/|/cmd/' > "$work/deps"
printf 'module exp\n\ngo 1.26\n\nrequire github.com/hpsearch/hpsearch v0.0.0\n\nreplace github.com/hpsearch/hpsearch => %s\n' "$root" > "$work/go.mod"
sed -n '/^require (/,/^)/p' go.mod | sed 's#// indirect##' >> "$work/go.mod"
cp go.sum "$work/"
iamlambda='service/(iam|lambda)(/|$)|serverless/(deploy|lambdaexec|emulate)$'
plot='gonum.org/v1/plot|go-latex|go-fonts|go-pdf|sbinet|svgo|freetype|golang.org/x/image|hpsearch/report$'
gen() { # gen NAME EXCLUDE_REGEXP
  mkdir -p "$work/$1"
  { echo "package main"; echo "import ("
    grep -v -E "$2" "$work/deps" | sed 's/.*/\t_ "&"/'
    echo ")"; echo 'func main() { println("x") }'; } > "$work/$1/main.go"
  (cd "$work" && GOFLAGS=-mod=mod go build -o "$work/$1.bin" "./$1")
  echo "$1=$work/$1.bin"
}
mkdir -p "$work/hello" && printf 'package main\n\nfunc main() { println("x") }\n' > "$work/hello/main.go"
(cd "$work" && go build -o "$work/hello.bin" ./hello)
# Module groups for the 3p programs. A regexp may name more than a group
# links: a package that another linked package imports is linked anyway.
own='^github.com/hpsearch/'
aws='aws/aws-sdk-go-v2|aws/smithy-go|aws/aws-lambda-go'
golearn='sjwhitworth/golearn|rocketlaunchr/dataframe-go|google/go-cmp|twpayne/go-geom|guptarohit/asciigraph|olekukonko/tablewriter|golang.org/x/exp'
parquet='parquet-go|google.golang.org/protobuf|klauspost/compress|andybalholm/brotli|pierrec/lz4'
args=("$(gen all '^$')" "$(gen no-iam-lambda "$iamlambda")" "$(gen no-plot "$plot")" "$(gen neither "$iamlambda|$plot")"
  "$(gen 3p "$own")" "$(gen 3p-no-aws "$own|$aws")" "$(gen 3p-no-plot "$own|$plot")" "$(gen 3p-no-golearn "$own|$golearn")"
  "$(gen 3p-no-parquet "$own|$parquet")" "$(gen std '^[^/]*\.[^/]*/')" "hello=$work/hello.bin")
python3 benchmarks/startup/startup.py "${args[@]}"
