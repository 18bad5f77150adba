#!/usr/bin/env bash
# Starts Podman's Docker-compatible API on a socket of its own, for the Podman engine tests:
#   DOCKER_HOST=unix:///run/tslim-podman/podman.sock
# - installs Debian's podman with apt when missing (root only);
# - `podman system service --time=0` runs detached (setsid), with its own storage root so it never
#   touches a podman the host already has; overlay storage (TSLIM_PODMAN_STORAGE=vfs where the root
#   is itself an overlayfs, as in a container: slow and copies every layer whole), cgroupfs and a
#   file event log (no systemd, no journald needed);
# - its own containers.conf (CONTAINERS_CONF: default_ulimits the host allows, see write_confs) and
#   registries.conf (CONTAINERS_REGISTRIES_CONF: the plain-HTTP test registries marked insecure).
# Idempotent: a second run only pings, unless the running service was started without these confs
# or with other values: then it restarts it. `scripts/podman.sh down` stops the service it started.
# Log: /var/log/tslim-podman.log; pid: /run/tslim-podman/podman.pid
set -euo pipefail

DIR=/run/tslim-podman
SOCK=$DIR/podman.sock
PIDFILE=$DIR/podman.pid
LOG=${TSLIM_PODMAN_LOG:-/var/log/tslim-podman.log}
ROOT=${TSLIM_PODMAN_ROOT:-/var/lib/tslim-podman}
WAIT_SECS=${TSLIM_PODMAN_WAIT:-60}
STORAGE=${TSLIM_PODMAN_STORAGE:-overlay}
CONF=$DIR/containers.conf
REGCONF=$DIR/registries.conf
# Plain-HTTP registries the service may push to and pull from: the test world's, on loopback
# (Basic-auth registry, token registry, its ingress). Podman, unlike Docker, does not treat
# 127.0.0.0/8 as insecure; without this its push answers `http: server gave HTTP response to HTTPS client`.
INSECURE=${TSLIM_PODMAN_INSECURE_REGISTRIES:-127.0.0.1:5055 127.0.0.1:5057 127.0.0.1:5059}

say() { echo "[podman] $*" >&2; }
die() { echo "[podman] error: $*" >&2; exit 1; }
ping_podman() { [[ -S $SOCK ]] && curl -fsS --max-time 3 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }

# Rootful Podman 4.3 asks runc for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576 in every container
# it makes (the compat API's POST /containers/create included; Buildah's RUN steps do not) unless
# containers.conf's default_ulimits says otherwise; only rootless Podman clamps them to its own
# limits. Where the hard limits are lower (a container, a sandbox, a CI runner) every start fails:
# `runc create failed: ... error setting rlimit type 7: operation not permitted`.
# So ask for what the service process will really hold, read here rather than hard-coded:
# - nofile: Podman raises its own limit to 1048576 or, refused, to the hard limit it inherits
#   (`ulimit -Hn`);
# - nproc: Podman sets its own RLIMIT_NPROC to kernel.pid_max at start (strace: it reads
#   /proc/sys/kernel/pid_max, then setrlimit(RLIMIT_NPROC)) and keeps the inherited hard limit
#   when that is refused; conmon and runc inherit it, so min(`ulimit -Hu`, pid_max) is the most
#   runc may set (measured here: pid_max 32768 starts, 65536 fails although `ulimit -Hu` is 96362).
# "unlimited" keeps Podman's own default, 1048576.
rlimit() { local v; v=$(ulimit -H "$1"); [[ $v == unlimited ]] && v=1048576; ((v > 1048576)) && v=1048576; echo "$v"; }
write_confs() {
  local nofile nproc pidmax r
  nofile=$(rlimit -n)
  nproc=$(rlimit -u)
  pidmax=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo "$nproc")
  ((pidmax < nproc)) && nproc=$pidmax
  {
    echo '# written by scripts/podman.sh: the hard limits the service holds (ulimit -Hn; min of ulimit -Hu and pid_max)'
    echo '[containers]'
    echo "default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"
  } >"$CONF.new"
  {
    echo '# written by scripts/podman.sh: plain-HTTP registries'
    for r in $INSECURE; do printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$r"; done
  } >"$REGCONF.new"
}
# Whether the service with this pid was started with these confs, unchanged, and still has its
# working directory: conmon starts in the service's, and every container start fails (`conmon: Failed
# to get working directory`, `write child: broken pipe`) once that folder is deleted, as a test
# checkout in /tmp that started the service and was then removed.
confs_current() {
  tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qx "CONTAINERS_CONF=$CONF" &&
    cmp -s "$CONF" "$CONF.new" && cmp -s "$REGCONF" "$REGCONF.new" &&
    [[ $(readlink "/proc/$1/cwd") != *' (deleted)' ]]
}
stop_service() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  die "podman service (pid $pid) did not stop"
}

if [[ ${1:-} == down ]]; then
  if [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    stop_service "$(cat "$PIDFILE")" && say "stopped podman service (pid $(cat "$PIDFILE"))"
  fi
  rm -f "$PIDFILE"
  exit 0
fi

mkdir -p "$DIR"
write_confs
if ping_podman; then
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [[ -n $pid ]] && confs_current "$pid"; then
    rm -f "$CONF.new" "$REGCONF.new"
    say "podman answers at unix://$SOCK"
    exit 0
  fi
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || die "podman answers at unix://$SOCK, but not as pid ${pid:-?} of $PIDFILE: stop it by hand"
  say "restarting the podman service (pid $pid): it runs without the current $CONF and $REGCONF, or its working directory is gone"
  stop_service "$pid"
fi
mv "$CONF.new" "$CONF"
mv "$REGCONF.new" "$REGCONF"
if ! command -v podman >/dev/null; then
  [[ $(id -u) -eq 0 ]] || die "podman is not installed; run as root (or: sudo apt-get install podman)"
  command -v apt-get >/dev/null || die "podman is not installed and there is no apt-get here; install it by hand"
  say "apt-get install podman"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman >&2
fi

mkdir -p "$ROOT"
rm -f "$SOCK"
cd / # the service's (and conmon's) working directory: one that cannot be removed under it
say "starting podman system service on unix://$SOCK (log: $LOG; $(grep default_ulimits "$CONF"))"
CONTAINERS_CONF=$CONF CONTAINERS_REGISTRIES_CONF=$REGCONF setsid podman --root "$ROOT/storage" --runroot "$DIR/run" --storage-driver "$STORAGE" \
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
