#!/usr/bin/env bash
# Makes sure a Docker engine answers and the test world's host tools exist.
# - An engine already answering (DOCKER_HOST, or /var/run/docker.sock) is used as is.
# - Otherwise, as root on Debian/Ubuntu: install docker.io (and friends) with apt and start
#   `dockerd --bridge=none --iptables=false` in the background (containers use host networking).
# Idempotent: the second run only pings. Log of a dockerd we start: /var/log/tslim-dockerd.log
set -euo pipefail

SOCK=/var/run/docker.sock
DOCKERD_LOG=${TSLIM_DOCKERD_LOG:-/var/log/tslim-dockerd.log}
WAIT_SECS=${TSLIM_ENGINE_WAIT:-60}
APT_UPDATED=0

say() { echo "[engine] $*" >&2; }
die() { echo "[engine] error: $*" >&2; exit 1; }

ping_engine() {
  if [[ -n "${DOCKER_HOST:-}" ]]; then
    case "$DOCKER_HOST" in
      unix://*) curl -fsS --max-time 3 --unix-socket "${DOCKER_HOST#unix://}" http://localhost/_ping >/dev/null 2>&1 ;;
      tcp://*) curl -fsS --max-time 3 "http://${DOCKER_HOST#tcp://}/_ping" >/dev/null 2>&1 ;;
      *) return 1 ;;
    esac
  else
    [[ -S $SOCK ]] && curl -fsS --max-time 3 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1
  fi
}

# apt_install PKG... : installs the packages whose dpkg status is not "installed" (root only).
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) -eq 0 ]] || die "missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})"
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]} and no apt-get here; install them by hand"
  if ((APT_UPDATED == 0)); then
    say "apt-get update"
    apt-get update -qq >&2
    APT_UPDATED=1
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Host tools the world needs whatever engine is used: tool -> Debian package.
ensure_world_tools() {
  local need=()
  command -v curl >/dev/null || need+=(curl)
  # mmdebstrap only recommends gpg; the archive keyring verifies the bookworm mirror it reads
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap gpg)
  [[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || need+=(debian-archive-keyring)
  command -v docker-registry >/dev/null || need+=(docker-registry)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v dpkg-deb >/dev/null || need+=(dpkg)
  command -v python3 >/dev/null || need+=(python3)
  ((${#need[@]})) || return 0
  [[ $(id -u) -eq 0 ]] || die "the test world needs: ${need[*]} (Debian packages); run \`sudo npm run engine\` or install them"
  command -v apt-get >/dev/null || die "the test world needs: ${need[*]}, and there is no apt-get here"
  apt_install "${need[@]}"
}

# pgrep is in procps, which minimal images lack; /proc/*/comm says the same.
dockerd_running() {
  if command -v pgrep >/dev/null; then pgrep -x dockerd >/dev/null; else grep -qsx dockerd /proc/[0-9]*/comm; fi
}

main() {
  ensure_world_tools
  if ping_engine; then
    say "engine answers at ${DOCKER_HOST:-unix://$SOCK}"
    exit 0
  fi
  [[ -z "${DOCKER_HOST:-}" ]] || die "DOCKER_HOST=$DOCKER_HOST does not answer /_ping; unset it to use a local engine"
  if [[ $(id -u) -ne 0 ]]; then
    [[ -S $SOCK && ! -w $SOCK ]] && die "$SOCK exists but $(id -un) may not use it: join group docker, or set DOCKER_HOST"
    die "no Docker engine answers at $SOCK and starting one needs root: run \`sudo npm run engine\`"
  fi
  command -v apt-get >/dev/null || die "no Docker engine answers and there is no apt-get to install docker.io; install Docker by hand"
  command -v dockerd >/dev/null || apt_install docker.io
  if dockerd_running; then
    say "dockerd is running but not answering yet; waiting"
  else
    say "starting dockerd --bridge=none --iptables=false (log: $DOCKERD_LOG)"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    # Some CI images mount no cgroup hierarchy the engine likes; the log tail tells.
    setsid nohup dockerd --bridge=none --iptables=false >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for ((i = 0; i < WAIT_SECS * 2; i++)); do
    if ping_engine; then
      say "engine up after $((i / 2))s"
      exit 0
    fi
    sleep 0.5
  done
  echo "[engine] error: dockerd did not answer /_ping within ${WAIT_SECS}s; last log lines ($DOCKERD_LOG):" >&2
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  exit 1
}

main "$@"
