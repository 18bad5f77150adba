#!/bin/bash
# Test-world stand-in for NVIDIA's container entrypoint: show the banners, then run the command.
set -e
for f in /opt/nvidia/entrypoint.d/*; do
  case "$f" in
    *.sh) source "$f" ;;
    *.txt) cat "$f" ;;
  esac
done
echo
if [[ $# -eq 0 ]]; then
  exec /bin/bash
fi
exec "$@"
