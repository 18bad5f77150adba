#!/usr/bin/env bash
# The full test run: engine up, test world up, then every vitest project (unit, engine, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh
# The world prints one JSON line (kept in .world/world.json); progress stays on stderr.
npm run --silent world >/dev/null
npx vitest run "$@"
