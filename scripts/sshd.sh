#!/usr/bin/env bash
# Installs Debian's openssh-server for the ssh:// engine test (test/engine/remote-ssh.test.ts).
# The test starts its own sshd (its own config, host key and authorized key in a temp dir, bound to
# 127.0.0.1 only); this script only makes /usr/sbin/sshd exist. The package's service is never
# started: a policy-rc.d refusing starts is put in place for the install when none exists, so
# nothing listens on port 22 afterwards.
# Idempotent: prints the sshd path and exits when it is already installed.
set -euo pipefail

say() { echo "[sshd] $*" >&2; }
die() { echo "[sshd] error: $*" >&2; exit 1; }

if [[ -x /usr/sbin/sshd ]]; then
  say "openssh-server is installed: /usr/sbin/sshd"
  exit 0
fi
[[ $(id -u) -eq 0 ]] || die "openssh-server is not installed; run as root (or: sudo apt-get install openssh-server)"
command -v apt-get >/dev/null || die "openssh-server is not installed and there is no apt-get here; install it by hand"

POLICY=/usr/sbin/policy-rc.d
ours=0
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod +x "$POLICY" && ours=1
fi
trap '[[ $ours -eq 1 ]] && rm -f "$POLICY"' EXIT

say "installing openssh-server (apt)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || say "apt-get update failed; trying the install with the lists there are"
apt-get install -y -qq --no-install-recommends openssh-server >&2
[[ -x /usr/sbin/sshd ]] || die "apt-get installed openssh-server but /usr/sbin/sshd is missing"
say "installed: $(/usr/sbin/sshd -V 2>&1 | head -1 || true)"
