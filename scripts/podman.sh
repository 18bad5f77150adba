#!/usr/bin/env bash
# Starts Podman's Docker-compatible API on a socket of its own, for the Podman engine tests:
#   DOCKER_HOST=unix:///run/tslim-podman/podman.sock
# - installs Debian's podman with apt when missing (root only);
# - `podman system service --time=0` runs detached (setsid), with its own storage root so it never
#   touches a podman the host already has; overlay storage (TSLIM_PODMAN_STORAGE=vfs where the root
#   is itself an overlayfs, as in a container: slow and copies every layer whole), cgroupfs and a
#   file event log (no systemd, no journald needed).
# Idempotent: a second run only pings. `scripts/podman.sh down` stops the service it started.
# Log: /var/log/tslim-podman.log; pid: /run/tslim-podman/podman.pid
set -euo pipefail

DIR=/run/tslim-podman
SOCK=$DIR/podman.sock
PIDFILE=$DIR/podman.pid
LOG=${TSLIM_PODMAN_LOG:-/var/log/tslim-podman.log}
ROOT=${TSLIM_PODMAN_ROOT:-/var/lib/tslim-podman}
WAIT_SECS=${TSLIM_PODMAN_WAIT:-60}
STORAGE=${TSLIM_PODMAN_STORAGE:-overlay}

say() { echo "[podman] $*" >&2; }
die() { echo "[podman] error: $*" >&2; exit 1; }
ping_podman() { [[ -S $SOCK ]] && curl -fsS --max-time 3 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }

if [[ ${1:-} == down ]]; then
  if [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    kill "$(cat "$PIDFILE")" && say "stopped podman service (pid $(cat "$PIDFILE"))"
  fi
  rm -f "$PIDFILE"
  exit 0
fi

if ping_podman; then
  say "podman answers at unix://$SOCK"
  exit 0
fi

if ! command -v podman >/dev/null; then
  [[ $(id -u) -eq 0 ]] || die "podman is not installed; run as root (or: sudo apt-get install podman)"
  command -v apt-get >/dev/null || die "podman is not installed and there is no apt-get here; install it by hand"
  say "apt-get install podman"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman >&2
fi

mkdir -p "$DIR" "$ROOT"
rm -f "$SOCK"
say "starting podman system service on unix://$SOCK (log: $LOG)"
setsid podman --root "$ROOT/storage" --runroot "$DIR/run" --storage-driver "$STORAGE" \
  --cgroup-manager cgroupfs --events-backend file \
  system service --time=0 "unix://$SOCK" >>"$LOG" 2>&1 </dev/null &
echo $! >"$PIDFILE"

for ((i = 0; i < WAIT_SECS; i++)); do
  if ping_podman; then
    say "podman $(podman --version | awk '{print $3}') answers at unix://$SOCK"
    exit 0
  fi
  kill -0 "$(cat "$PIDFILE")" 2>/dev/null || die "podman system service exited; see $LOG"
  sleep 1
done
die "podman did not answer within ${WAIT_SECS}s; see $LOG"
