#!/bin/bash
# Push time: `tslim push` vs `docker push` of the same image to the same registry.
# Each measurement starts a fresh, empty Debian docker-registry on 127.0.0.1:$PORT (htpasswd auth,
# plain HTTP) so neither side benefits from blobs the other uploaded. Needs `npm run build` first.
# Usage: bench/push-vs-docker.sh IMAGE [ROUNDS]
set -euo pipefail
IMAGE=${1:?image}
ROUNDS=${2:-3}
PORT=${PORT:-5077}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/tslim-bench-push.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
htpasswd -nbB bench benchpw > "$WORK/htpasswd"
cat > "$WORK/config.yml" <<YML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $WORK/storage } }
http: { addr: "127.0.0.1:$PORT", secret: "bench" }
auth: { htpasswd: { realm: bench, path: $WORK/htpasswd } }
YML
mkdir -p "$WORK/dcfg"
printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}\n' "$PORT" "$(printf bench:benchpw | base64)" > "$WORK/dcfg/config.json"
export DOCKER_CONFIG=$WORK/dcfg
fresh_registry() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && sleep 0.5
  rm -rf "$WORK/storage"
  docker-registry serve "$WORK/config.yml" > "$WORK/registry.log" 2>&1 &
  PID=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/v2/" && return; sleep 0.1; done
  echo "registry did not start" >&2; exit 1
}
now() { date +%s.%N; }
for round in $(seq "$ROUNDS"); do
  fresh_registry
  docker tag "$IMAGE" "127.0.0.1:$PORT/bench/img:docker"
  s=$(now); docker push -q "127.0.0.1:$PORT/bench/img:docker" > /dev/null; e=$(now)
  docker rmi "127.0.0.1:$PORT/bench/img:docker" > /dev/null
  echo "round $round docker $(echo "$e - $s" | bc) s"
  fresh_registry
  s=$(now); node "$ROOT/bin/tslim.js" push -q "$IMAGE" "127.0.0.1:$PORT/bench/img:tslim" > /dev/null; e=$(now)
  echo "round $round tslim  $(echo "$e - $s" | bc) s"
done
