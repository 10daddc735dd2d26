#!/usr/bin/env bash
# Builds the MyRAGDB test control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok) from the Go module pinned in
# this directory, into
#   ${MYRAGDB_CONTROL_PLANE_CACHE:-$HOME/.cache/myragdb-control-plane}/<key>/bin/
# where <key> is derived from the pinned go.mod/go.sum (and this recipe), so the
# binaries are rebuilt only when the pins change.
#
# If KUBEBUILDER_ASSETS points at a directory holding kube-apiserver and etcd
# (the envtest convention), nothing is built and those binaries are used.
#
# Usage:
#   bash test/control-plane/build.sh                 build (or reuse) the binaries
#   bash test/control-plane/build.sh --print-bin-dir print the bin dir the tests use; never builds
#   bash test/control-plane/build.sh --check         exit 0 if the binaries exist, 1 otherwise
#   bash test/control-plane/build.sh --force         rebuild even if cached
#
# Non-interactive; any failure exits non-zero with a message on stderr.
set -euo pipefail

# Bump when the build recipe (flags, binary list, ldflags) changes, so caches rebuild.
RECIPE=2

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${MYRAGDB_CONTROL_PLANE_CACHE:-${HOME:?HOME is not set}/.cache/myragdb-control-plane}"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

die() {
  echo "control-plane build: ERROR: $*" >&2
  exit 1
}
log() { echo "control-plane build: $*"; }

mode=build
case "${1:-}" in
  "") ;;
  --print-bin-dir) mode=print ;;
  --check) mode=check ;;
  --force) mode=force ;;
  -h | --help)
    sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) die "unknown argument '$1' (use --print-bin-dir, --check, --force or no argument)" ;;
esac

# envtest convention: use pre-built binaries when they are complete enough.
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    case "$mode" in
      print) echo "$KUBEBUILDER_ASSETS" ;;
      check) ;;
      *) log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has kube-apiserver and etcd; using those, nothing to build" ;;
    esac
    exit 0
  fi
  [[ "$mode" == print ]] || log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver/etcd; ignoring it"
fi

key="$(
  cd "$HERE"
  {
    printf 'recipe=%s\n' "$RECIPE"
    cat go.mod go.sum tools.go cmd/etcd/main.go
  } | sha256sum | cut -c1-16
)"
k8s_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$HERE/go.mod")"
[[ -n "$k8s_version" ]] || die "cannot find the k8s.io/kubernetes version in $HERE/go.mod"
out_dir="$CACHE_ROOT/$k8s_version-$key"
bin_dir="$out_dir/bin"

complete() {
  [[ -f "$out_dir/versions.json" && -f "$out_dir/kwok-stages.yaml" ]] || return 1
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$bin_dir/$b" ]] || return 1; done
}

case "$mode" in
  print)
    echo "$bin_dir"
    exit 0
    ;;
  check)
    complete && exit 0
    echo "control-plane binaries missing in $bin_dir; run: bash test/control-plane/build.sh" >&2
    exit 1
    ;;
esac

if [[ "$mode" != force ]] && complete; then
  log "cached: $bin_dir (Kubernetes $k8s_version, key $key); nothing to build"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "the 'go' command is not on PATH (Go >= $(awk '$1=="go"{print $2}' "$HERE/go.mod") is needed)"
command -v flock >/dev/null 2>&1 || die "'flock' (util-linux) is not on PATH"

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
log "waiting for the build lock $CACHE_ROOT/.build.lock"
flock 9
# Another build may have finished while we waited.
if [[ "$mode" != force ]] && complete; then
  log "cached (built concurrently): $bin_dir"
  exit 0
fi

start=$(date +%s)
tmp_dir="$(mktemp -d "$CACHE_ROOT/.build-$k8s_version-XXXXXX")"
trap 'rm -rf "$tmp_dir"' EXIT

cd "$HERE"
# Never let a developer's environment change what gets built.
export GOFLAGS="-mod=readonly -buildvcs=false"
export CGO_ENABLED=0
export GOWORK=off

log "Go: $(go version)"
log "Kubernetes $k8s_version, cache key $key, output $bin_dir"
log "GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE)"

step_start=$(date +%s)
log "[0/${#BINARIES[@]}] downloading modules (go mod download)"
go mod download || die "go mod download failed (is the Go module proxy reachable?)"
go mod verify >/dev/null || die "go mod verify failed: the module cache does not match go.sum"
log "[0/${#BINARIES[@]}] modules ready in $(($(date +%s) - step_start))s"

ver() { go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$1"; }
etcd_version="$(ver go.etcd.io/etcd/server/v3)"
kwok_version="$(ver sigs.k8s.io/kwok)"
major="${k8s_version#v}"
major="${major%%.*}"
minor="${k8s_version#v*.}"
minor="${minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Version strings that release builds stamp in with -X (hack/lib/version.sh);
# without them kube-apiserver reports v0.0.0-master.
kv=k8s.io/component-base/version
k8s_ldflags="-s -w -X $kv.gitVersion=$k8s_version -X $kv.gitMajor=$major -X $kv.gitMinor=$minor"
k8s_ldflags+=" -X $kv.gitTreeState=clean -X $kv.buildDate=$build_date"

declare -A pkg=(
  [etcd]=./cmd/etcd
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
  [kube-scheduler]=k8s.io/kubernetes/cmd/kube-scheduler
  [kwok]=sigs.k8s.io/kwok/cmd/kwok
)
mkdir -p "$tmp_dir/bin"
i=0
for b in "${BINARIES[@]}"; do
  i=$((i + 1))
  step_start=$(date +%s)
  case "$b" in
    etcd | kwok) ldflags="-s -w" ;; # both carry their version as constants
    *) ldflags="$k8s_ldflags" ;;
  esac
  log "[$i/${#BINARIES[@]}] building $b (${pkg[$b]})"
  go build -trimpath -ldflags="$ldflags" -o "$tmp_dir/bin/$b" "${pkg[$b]}" || die "building $b failed"
  log "[$i/${#BINARIES[@]}] $b built in $(($(date +%s) - step_start))s ($(du -h "$tmp_dir/bin/$b" | cut -f1))"
done

# kwok simulates nothing without stages; use the default ones kwokctl installs (pinned with the kwok module):
# nodes become Ready and keep a lease, pods become Ready, Job pods complete, deleted pods go away.
kwok_dir="$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
stages=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml)
for s in "${stages[@]}"; do
  [[ -f "$kwok_dir/kustomize/stage/$s" ]] || die "kwok stage $s not found in $kwok_dir"
  printf -- '---\n# from sigs.k8s.io/kwok %s kustomize/stage/%s\n' "$kwok_version" "$s"
  cat "$kwok_dir/kustomize/stage/$s"
done >"$tmp_dir/kwok-stages.yaml"

total=$(($(date +%s) - start))
cat >"$tmp_dir/versions.json" <<EOF
{
  "kubernetes": "$k8s_version",
  "etcd": "$etcd_version",
  "kwok": "$kwok_version",
  "go": "$(go env GOVERSION)",
  "key": "$key",
  "builtAt": "$build_date",
  "buildSeconds": $total
}
EOF

chmod 755 "$tmp_dir"
rm -rf "$out_dir"
mv "$tmp_dir" "$out_dir"
trap - EXIT
log "done in ${total}s: $bin_dir"
log "versions: Kubernetes $k8s_version, etcd $etcd_version, kwok $kwok_version"
