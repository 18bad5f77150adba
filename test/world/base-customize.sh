#!/bin/sh
# mmdebstrap customize hook for the fixture base (runs on the host; $1 is the chroot).
# Installs every recipe apt name that bookworm has, records the rest (they become dummy .debs in
# the world's /apt repo), then points apt at the world's repo only so builds work offline.
set -eu
root=$1 names=$2 missing=$3 apt_line=$4
available=''
: > "$missing"
for name in $(cat "$names"); do
  if chroot "$root" apt-cache show --no-all-versions "$name" >/dev/null 2>&1; then
    available="$available $name"
  else
    echo "$name" >> "$missing"
  fi
done
# shellcheck disable=SC2086 # word splitting is the point
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $available
rm -f "$root"/etc/apt/sources.list.d/*
echo "$apt_line" > "$root/etc/apt/sources.list"
