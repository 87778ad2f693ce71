#!/bin/sh
# refresh.sh fetches the pinned Apache ECharts from the npm registry and
# copies its single-file build and licence here. Change VERSION to upgrade,
# run this script, and commit the three files together.
set -eu
cd "$(dirname "$0")"
version=$(sed -n 's/^echarts@//p' VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "echarts@$version" >/dev/null)
tar -xzf "$tmp/echarts-$version.tgz" -C "$tmp"
cp "$tmp/package/dist/echarts.min.js" echarts.min.js
cp "$tmp/package/LICENSE" LICENSE-echarts
echo "echarts@$version: $(sha256sum echarts.min.js | cut -d' ' -f1)"
