#!/usr/bin/env bash
# Makes what run.sh carries to the GPU machine, in .devcarry/ (ignored: add '/.devcarry/' to .git/info/exclude),
# here on a Debian 12 machine with apt and npm:
#   deps-prefix.tar.xz   the Debian 12 packages the GPU machine (Ubuntu 24.04) lacks, dpkg -x'd into one prefix
#                        (static libraries dropped, except googletest's, which its CMake config names, and libb64's)
#   node.xz              this machine's node binary (tslim's runtime; the GPU machine has none)
#   node_modules.tar.xz  tslim's production dependencies (npm ci --omit=dev)
# Then `npm run build` (dist/ travels too) and a `run` call on the device with
#   carry: [".devcarry/deps-prefix.tar.xz", ".devcarry/node.xz", ".devcarry/node_modules.tar.xz", "dist"]
#   command: bash scripts/real-triton-gpu/run.sh $OUT
# The carried paths plus the working tree must stay under the device's 64 MiB (about 34 MiB + 4 MiB here).
set -euo pipefail
cd "$(dirname "$0")/../.."
dc=.devcarry
mkdir -p $dc/debs
PKGS="libgrpc++-dev libgrpc-dev libgrpc++1.51 libgrpc29 protobuf-compiler-grpc protobuf-compiler libprotoc32
  libabsl-dev libabsl20220623 libc-ares-dev libc-ares2 libre2-dev libre2-9 rapidjson-dev libb64-dev libb64-0d
  libarchive-dev libarchive13 googletest libgtest-dev libevent-dev libevent-2.1-7 libevent-core-2.1-7
  libevent-extra-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7"
(cd $dc/debs && apt-get download $PKGS)
p=$(mktemp -d)
for f in $dc/debs/*.deb; do dpkg -x "$f" "$p"; done
find "$p" -name '*.a' | grep -v -E 'libg(test|mock)|libb64' | xargs rm -f
rm -rf "$p"/usr/share/doc "$p"/usr/share/man "$p"/usr/share/lintian "$p"/usr/share/doc-base
tar -C "$p" -cf - usr | xz -9 -T1 > $dc/deps-prefix.tar.xz
rm -rf "$p"
xz -9e -T1 -c "$(readlink -f "$(command -v node)")" > $dc/node.xz
n=$(mktemp -d)
cp package.json package-lock.json "$n"/
(cd "$n" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund > /dev/null && tar -cf - node_modules) | xz -9 -T1 > $dc/node_modules.tar.xz
rm -rf "$n"
ls -la $dc
