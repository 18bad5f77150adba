#!/usr/bin/env bash
# The full test run: type checks, a fresh build of dist/ (e2e tests run the built CLI), engine up,
# test world up, then every vitest project (unit, engine, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent typecheck
npm run --silent build
bash scripts/engine.sh
# The world prints one JSON line (kept in .world/world.json); progress stays on stderr.
npm run --silent world >/dev/null
npx vitest run "$@"
