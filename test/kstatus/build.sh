#!/usr/bin/env bash
# Builds kstatus-check (main.go here, on sigs.k8s.io/cli-utils v0.37.2 from the Go module proxy) into a cache
# directory keyed by this module's pins and prints the binary's path. The operator's kstatus integration test runs it
# against real MyRAGDB objects (or takes KSTATUS_CHECK); without it that test fails with this command as the hint.
# Cold: about 1 CPU-minute (a few small modules); cached afterwards.
set -Eeuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
key="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)"
dir="${MYRAGDB_TOOLS_DIR:-$HOME/.cache/myragdb-tools}/kstatus-check-$key"
if [[ "${1:-}" == --print-path ]]; then
  echo "$dir/kstatus-check"
  exit 0
fi
if [[ ! -x "$dir/kstatus-check" ]]; then
  command -v go >/dev/null 2>&1 || { echo "kstatus-check build: the 'go' command is not on PATH" >&2; exit 1; }
  mkdir -p "$dir"
  (cd "$here" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 GOWORK=off \
    nice -n 10 go build -trimpath -ldflags='-s -w' -o "$dir/kstatus-check.tmp" .) >&2
  mv "$dir/kstatus-check.tmp" "$dir/kstatus-check"
fi
echo "$dir/kstatus-check"
