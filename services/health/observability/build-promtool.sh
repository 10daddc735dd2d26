#!/usr/bin/env bash
# Builds promtool (pinned) from the Go module proxy into a cache directory and prints its path. The rules test
# (services/health/test/observability) runs `promtool check rules` and `promtool test rules` with it; without it
# those two tests are skipped loudly. Takes 8 CPU-minutes cold (about 20 min wall on 2 busy cores), then cached.
set -Eeuo pipefail
version=v0.316.0
dir="${MYRAGDB_TOOLS_DIR:-$HOME/.cache/myragdb-tools}/promtool-$version"
if [[ ! -x "$dir/promtool" ]]; then
  mkdir -p "$dir"
  GOBIN="$dir" GOFLAGS=-mod=mod nice -n 10 go install "github.com/prometheus/prometheus/cmd/promtool@$version" >&2
fi
echo "$dir/promtool"
