#!/usr/bin/env bash
# Issue 24, item 5: NVIDIA's Triton 24.09 (server v2.50.0) built from its public sources with
# TRITON_ENABLE_GPU=ON on the GPU machine (Ubuntu 24.04, GCC 13, CUDA 13.0, CMake 4), plus the pytorch
# backend against the torch wheel's libtorch (2.11+cu130); then the real tritonserver runs as a process
# and `tslim verify --url` checks the pytorch and onnxruntime samples, and user-repo.mjs + check_user_repo.py
# a user's repository. Everything else it needs travels with the call (prepare.sh makes it):
#   .devcarry/deps-prefix.tar.xz   Debian 12 packages the machine lacks (gRPC 1.51, absl, re2, c-ares,
#                                  RapidJSON, libb64, libarchive, libevent, googletest), dpkg -x'd
#   .devcarry/node.xz              node (tslim's runtime), .devcarry/node_modules.tar.xz its production deps
#   dist/                          tslim, built (npm run build)
#   .devcarry/install.tar.xz       optional: a previous run's /opt/tritonserver; then only RTG_BUILD's parts
#                                  are rebuilt (default: none)
# Sources: test/world/real/sources (the CPU world's, PROVENANCE.md there) + sources/ here (pytorch_backend
# r24.09, third_party's cnmem), patched by test/world/real/patches and patches/ here (each says why).
# usage (device, repo root): bash scripts/real-triton-gpu/run.sh OUTDIR
set -uo pipefail
out=$(realpath -m "${1:?usage: run.sh OUTDIR}")
mkdir -p "$out"
root=$(pwd)
here=$root/scripts/real-triton-gpu
W=/opt/rtg                       # deps, builds, logs
I=/opt/tritonserver              # the install, laid out as NVIDIA's image
START=$(date +%s)
BUILD_DEADLINE=${RTG_BUILD_DEADLINE:-420}   # seconds after START by which every build is stopped
summary=$out/summary.txt
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }
elapsed() { echo $(($(date +%s) - START)); }
mkdir -p $W/logs $W/bin $W/build $I/lib $I/bin $I/backends

# ---------------------------------------------------------------- the machine
say "== machine ($(date -u +%FT%TZ))"
say "$(. /etc/os-release; echo "$PRETTY_NAME"); glibc $(ldd --version | head -1 | awk '{print $NF}'); $(uname -r)"
say "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader); $(nproc) cores"
say "gcc $(gcc -dumpfullversion); cmake $(cmake --version | head -1 | awk '{print $3}'); ninja $(ninja --version); $(nvcc --version | tail -2 | head -1)"
TORCH=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
SITE=$(dirname "$TORCH")
ORTCAPI=$(python3 -c 'import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))')/capi
say "python $(python3 -c 'import sys; print(sys.version.split()[0])'); $(python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "cxx11abi", torch._C._GLIBCXX_USE_CXX11_ABI)')"
say "$(python3 -c 'import onnxruntime as o, numpy as n; print("onnxruntime", o.__version__, o.get_available_providers(), "numpy", n.__version__)')"
say "boost $(grep -m1 'define BOOST_LIB_VERSION' /usr/include/boost/version.hpp | awk '{print $3}'); protobuf (system) $(grep -m1 'define GOOGLE_PROTOBUF_VERSION' /usr/include/google/protobuf/stubs/common.h | awk '{print $3}')"

# ---------------------------------------------------------------- what travelled
t=$(date +%s)
mkdir -p $W/deps && xz -dc .devcarry/deps-prefix.tar.xz | tar -x -C $W/deps
xz -dc .devcarry/node.xz > $W/bin/node && chmod +x $W/bin/node
[[ -d node_modules ]] || xz -dc .devcarry/node_modules.tar.xz | tar -x
NODE=$W/bin/node
DEPLIB=$W/deps/usr/lib/x86_64-linux-gnu
# Debian's protoc and gRPC plugin run against the prefix's libraries; nothing else sees them at build time.
printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' "$DEPLIB" "$W/deps/usr/bin/protoc" > $W/bin/protoc
chmod +x $W/bin/protoc
rm -rf /src && mkdir -p /src
for f in test/world/real/sources/*.tar.gz "$here"/sources/*.tar.gz; do tar -xzf "$f" -C /src; done
apply() { if command -v patch > /dev/null; then patch -s -p1 -d "$1" < "$2"; else git -C "$1" apply -p1 "$2"; fi ||
  say "patch $2 failed"; }
apply /src/python_backend "$root"/test/world/real/patches/python_backend-boost-local.patch
apply /src/core "$here"/patches/core-cuda-version.patch
apply /src/backend "$here"/patches/backend-cuda13-archs.patch
apply /src/third_party "$here"/patches/cnmem-cuda13-prefetch.patch
cp -r test/world/real/shim /src/shim
bv=$(grep -m1 'define BOOST_LIB_VERSION' /usr/include/boost/version.hpp | awk '{print $3}' | tr -d '"')
mkdir -p /tmp/bh/boost_$bv && cp -r /usr/include/boost /tmp/bh/boost_$bv/ && tar -C /tmp/bh -cf /src/boost-headers.tar boost_$bv && rm -rf /tmp/bh
say "node $($NODE -v); unpacked deps, sources, patches in $(($(date +%s) - t)) s"

# ---------------------------------------------------------------- build
export PATH=/usr/local/cuda/bin:$PATH CUDACXX=/usr/local/cuda/bin/nvcc
export CPATH=$W/deps/usr/include LIBRARY_PATH=$DEPLIB CMAKE_PREFIX_PATH=$W/deps/usr
export LDFLAGS="-Wl,-rpath-link,$DEPLIB"
export CMAKE_POLICY_VERSION_MINIMUM=3.5   # CMake 4 refuses cmake_minimum_required < 3.5 (libevhtp, pybind11, dlpack)
J=${RTG_JOBS:-8}
C="-G Ninja -DCMAKE_BUILD_TYPE=Release -DTRITON_ENABLE_GPU=ON -DTRITON_MIN_CXX_STANDARD=17
 -DTRITON_REPO_ORGANIZATION=file:///nonexistent -DFETCHCONTENT_FULLY_DISCONNECTED=ON
 -DFETCHCONTENT_SOURCE_DIR_REPO-COMMON=/src/common -DFETCHCONTENT_SOURCE_DIR_REPO-CORE=/src/core
 -DFETCHCONTENT_SOURCE_DIR_REPO-BACKEND=/src/backend -DFETCHCONTENT_SOURCE_DIR_GOOGLETEST=$W/deps/usr/src/googletest
 -DProtobuf_DIR=/src/shim -Dre2_DIR=/src/shim -DProtobuf_PROTOC_EXECUTABLE=$W/bin/protoc -DTRITON_VERSION=2.50.0
 -DTRITON_CORE_REPO_TAG=r24.09 -DTRITON_COMMON_REPO_TAG=r24.09 -DTRITON_BACKEND_REPO_TAG=r24.09
 -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_CXX_COMPILER_LAUNCHER=$here/nowerror.sh
 -DTRITON_MIN_COMPUTE_CAPABILITY=7.5"
B=$W/build

b_prometheus() {
  cmake -S /src/prometheus-cpp -B $B/prom -G Ninja -DCMAKE_BUILD_TYPE=Release -DENABLE_PUSH=OFF -DENABLE_PULL=OFF \
    -DENABLE_TESTING=OFF -DUSE_THIRDPARTY_LIBRARIES=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_CXX_STANDARD=17 \
    -DCMAKE_INSTALL_PREFIX=$W/prometheus-cpp && cmake --build $B/prom -j $J && cmake --install $B/prom
}
b_cnmem() {  # third_party builds it with FindCUDA + cmake 2.8: one file, compiled directly
  local s=/src/third_party/cnmem/cnmem
  mkdir -p $W/cnmem/lib $W/cnmem/include $B/cnmem && cp $s/include/cnmem.h $W/cnmem/include/ \
    && g++ -O3 -fPIC -std=c++17 -DCNMEM_DLLEXPORT -I$s/include -I/usr/local/cuda/include -c $s/src/cnmem.cpp -o $B/cnmem/cnmem.o \
    && ar rcs $W/cnmem/lib/libcnmem.a $B/cnmem/cnmem.o
}
b_protobuf() {  # protobuf 3.21.12 (the machine's version) as a static PIC library, for libtritonserver.so alone
  cmake -S /src/protobuf -B $B/protobuf -G Ninja -DCMAKE_BUILD_TYPE=Release -Dprotobuf_BUILD_TESTS=OFF \
    -Dprotobuf_BUILD_CONFORMANCE=OFF -Dprotobuf_BUILD_EXAMPLES=OFF -Dprotobuf_BUILD_PROTOC_BINARIES=OFF \
    -Dprotobuf_BUILD_LIBPROTOC=OFF -Dprotobuf_WITH_ZLIB=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -Dprotobuf_BUILD_SHARED_LIBS=OFF && cmake --build $B/protobuf -j 16 --target libprotobuf
}
b_core() {  # with its own protobuf, linked in and hidden by libtritonserver's version script (as NVIDIA links
            # it): the tritonserver binary's GRPC endpoint registers model_config.proto in the shared
            # libprotobuf, and a libtritonserver.so on the same shared library registering it again aborts
            # the server at start ('File already exists in database: model_config.proto')
  cmake -S /src/core/src -B $B/core $C -DTRITON_ENABLE_METRICS=ON -DTRITON_ENABLE_METRICS_CPU=ON \
    -DProtobuf_LIBRARY_RELEASE=$B/protobuf/libprotobuf.a -DProtobuf_LIBRARY=$B/protobuf/libprotobuf.a \
    -DProtobuf_INCLUDE_DIR=/src/protobuf/src \
    -DTRITON_ENABLE_METRICS_GPU=OFF -DTRITON_ENABLE_ENSEMBLE=ON -DTRITON_ENABLE_LOGGING=ON -DTRITON_ENABLE_STATS=ON \
    -Dprometheus-cpp_DIR=$W/prometheus-cpp/lib/cmake/prometheus-cpp -DCNMEM_PATH=$W/cnmem \
    && cmake --build $B/core -j $J --target triton-core \
    && cp -L "$(find $B/core -name libtritonserver.so -type f | head -n1)" $I/lib/
}
b_evhtp() {  # its own TestBigEndian.cmake reads TestEndianess.c.in, which CMake 4 no longer ships: the
            # result is given (x86-64 is little-endian), so the probe is skipped
  cmake -S /src/third_party/libevhtp/libevhtp -B $B/evhtp -G Ninja -DCMAKE_BUILD_TYPE=Release -DEVHTP_DISABLE_REGEX=ON \
    -DEVHTP_DISABLE_SSL=ON -DEVHTP_TRITON_ENABLE_HTTP_CONTIGUOUS=ON -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DCMAKE_INSTALL_PREFIX=$W/evhtp -DLibEvent_DIR=/src/shim -DLibevent_DIR=/src/shim \
    -DHAVE_HOST_BIG_ENDIAN=1 -DHOST_BIG_ENDIAN=0 \
    && cmake --build $B/evhtp -j $J && cmake --install $B/evhtp
}
b_server() {  # python/tritonfrontend (not built: target main only) fetches pybind11 at configure time;
             # CMake 4 refuses an unpopulated FetchContent directory, so it gets the vendored one
  cmake -S /src/server/src -B $B/server $C -DTRITON_ENABLE_HTTP=ON -DTRITON_ENABLE_GRPC=ON -DTRITON_ENABLE_METRICS=ON \
    -DTRITON_ENABLE_METRICS_CPU=ON -DTRITON_ENABLE_METRICS_GPU=OFF -DTRITON_ENABLE_LOGGING=ON -DTRITON_ENABLE_STATS=ON \
    -DTRITON_ENABLE_ENSEMBLE=ON -DTRITON_ENABLE_TRACING=OFF -DTRITON_ENABLE_SAGEMAKER=OFF -DTRITON_ENABLE_VERTEX_AI=OFF \
    -DTRITON_ENABLE_GCS=OFF -DTRITON_ENABLE_S3=OFF -DTRITON_ENABLE_AZURE_STORAGE=OFF \
    -DLibevent_DIR=/src/shim -DLibEvent_DIR=/src/shim -DCMAKE_PREFIX_PATH="$W/evhtp;$W/deps/usr" \
    -DFETCHCONTENT_SOURCE_DIR_PYBIND11=/src/pybind11 \
    && cmake --build $B/server -j $J --target main \
    && cp -L "$(find $B/server -name tritonserver -type f | head -n1)" $I/bin/
}
b_python() {
  cmake -S /src/python_backend -B $B/python $C -DFETCHCONTENT_SOURCE_DIR_PYBIND11=/src/pybind11 \
    -DFETCHCONTENT_SOURCE_DIR_DLPACK=/src/dlpack -DCMAKE_INSTALL_PREFIX=$I \
    && cmake --build $B/python -j $J && cmake --install $B/python
}
ort_lib() {  # the machine's onnxruntime wheel (CPU build) has the C library
  mkdir -p $W/ort/lib && cp "$(ls $ORTCAPI/libonnxruntime.so.1.* | head -n1)" $W/ort/lib/ \
    && (cd $W/ort/lib && f=$(ls libonnxruntime.so.1.*) && ln -sf $f libonnxruntime.so.1 && ln -sf $f libonnxruntime.so)
}
b_onnxruntime() {  # against that library; the C API header is API 19 (what r24.09 was written for)
  mkdir -p $W/ort/include && cp /src/onnxruntime-c-api/onnxruntime_c_api.h $W/ort/include/ && ort_lib \
    && cmake -S /src/onnxruntime_backend -B $B/onnxruntime $C -DTRITON_ENABLE_ONNXRUNTIME_TENSORRT=OFF \
      -DTRITON_ENABLE_ONNXRUNTIME_OPENVINO=OFF -DTRITON_ONNXRUNTIME_INCLUDE_PATHS=$W/ort/include \
      -DTRITON_ONNXRUNTIME_LIB_PATHS=$W/ort/lib -DTRITON_BUILD_ONNXRUNTIME_VERSION=1.19.2 -DCMAKE_INSTALL_PREFIX=$I \
    && cmake --build $B/onnxruntime -j $J && cmake --install $B/onnxruntime \
    && cp -P $W/ort/lib/libonnxruntime.so* $I/backends/onnxruntime/
}
b_identity() {
  cmake -S /src/identity_backend -B $B/identity $C -DCMAKE_INSTALL_PREFIX=$I \
    && cmake --build $B/identity -j $J && cmake --install $B/identity
}
b_pytorch() {  # libtorch stays in the wheel (found through LD_LIBRARY_PATH at run time): the backend's install
               # step would copy it into backends/pytorch and patchelf it, which the machine lacks
  cmake -S /src/pytorch_backend -B $B/pytorch $C -DTRITON_PYTORCH_INCLUDE_PATHS="$TORCH/include;$TORCH/include/torch/csrc/api/include" \
    -DTRITON_PYTORCH_LIB_PATHS=$TORCH/lib -DTRITON_PYTORCH_ENABLE_TORCHVISION=OFF -DTRITON_PYTORCH_ENABLE_TORCHTRT=OFF \
    && cmake --build $B/pytorch -j $J \
    && mkdir -p $I/backends/pytorch && cp -L $B/pytorch/libtriton_pytorch.so $I/backends/pytorch/
}
step() {  # step NAME: runs b_NAME with a deadline, log in $W/logs/NAME.log, "NAME rc seconds" in steps.txt
  local name=$1 t=$(date +%s) left=$((BUILD_DEADLINE - $(elapsed)))
  ((left > 5)) || { echo "$name skipped (no time left)" >> $W/logs/steps.txt; return 1; }
  timeout $left bash -c "$(declare -f b_$name ort_lib); $(declare -p C B W I J TORCH ORTCAPI here); b_$name" > $W/logs/$name.log 2>&1
  local rc=$?
  echo "$name rc=$rc $(($(date +%s) - t))s" >> $W/logs/steps.txt
  return $rc
}
: > $W/logs/steps.txt
if [[ -f .devcarry/install.tar.xz ]]; then
  xz -dc .devcarry/install.tar.xz | tar -x -C /opt
  todo=${RTG_BUILD:-}
  [[ -e $I/backends/onnxruntime/libonnxruntime.so.1 ]] || { ort_lib && cp -P $W/ort/lib/libonnxruntime.so* $I/backends/onnxruntime/; }
  say "reusing .devcarry/install.tar.xz (a previous run's build, same sources); rebuilding: ${todo:-nothing}"
else
  todo=${RTG_BUILD:-protobuf prometheus cnmem core evhtp server python onnxruntime identity pytorch}
fi
has() { [[ " $todo " == *" $1 "* ]]; }
tb=$(date +%s)
# four chains side by side on 16 cores: core's (prometheus, cnmem), the server's (libevhtp), the backends
( if has protobuf; then step protobuf || exit; fi; if has prometheus; then step prometheus || exit; fi; if has cnmem; then step cnmem || exit; fi; if has core; then step core; fi ) &
( if has evhtp; then step evhtp || exit; fi; if has server; then step server; fi ) &
( if has pytorch; then step pytorch; fi; if has identity; then step identity; fi ) &
( if has python; then step python; fi; if has onnxruntime; then step onnxruntime; fi ) &
wait
say "== build (TRITON_ENABLE_GPU=ON, ninja -j$J per step, 4 chains in parallel): $(($(date +%s) - tb)) s wall"
while read -r l; do say "  $l"; done < $W/logs/steps.txt
{ for n in protobuf prometheus cnmem core evhtp server python onnxruntime identity pytorch; do
    [[ -f $W/logs/$n.log ]] && { echo "=================== $n"; cat $W/logs/$n.log; }
  done; } > "$out/build.log"
for n in protobuf prometheus cnmem core evhtp server python onnxruntime identity pytorch; do
  [[ -f $W/logs/$n.log ]] && grep -q . $W/logs/$n.log && ! grep -q "^$n rc=0" $W/logs/steps.txt \
    && { say "--- $n: last lines"; grep -E 'error|Error|ERROR|FAILED' $W/logs/$n.log | head -12 | tee -a "$summary"; tail -5 $W/logs/$n.log | tee -a "$summary"; }
done

# ---------------------------------------------------------------- the install
RUNLIB=$DEPLIB:$TORCH/lib:$I/lib
say "== /opt/tritonserver"
(cd $I && ls -d bin/* lib/*.so* backends/*/* 2> /dev/null | grep -v '\.py$' | while read -r f; do
   printf '  %-60s %10s\n' "$f" "$(stat -c %s "$f")"; done) | tee -a "$summary"
say "ldd (LD_LIBRARY_PATH = deps prefix, torch/lib, /opt/tritonserver/lib): unresolved:"
(cd $I && for f in bin/tritonserver lib/libtritonserver.so backends/*/*.so backends/python/triton_python_backend_stub; do
   [[ -f $f ]] && LD_LIBRARY_PATH=$RUNLIB:$I/backends/onnxruntime ldd "$f" 2>&1 | grep 'not found' | sed "s|^|  $f:|"; done) | tee -a "$summary"
say "libtritonserver.so links: $(LD_LIBRARY_PATH=$RUNLIB ldd $I/lib/libtritonserver.so | awk '{print $1}' | grep -v -E '^/|linux-vdso' | tr '\n' ' ')"
say "tritonserver links: $(LD_LIBRARY_PATH=$RUNLIB ldd $I/bin/tritonserver | grep -E -o 'lib(cudart|grpc\+\+|protobuf|prometheus|evhtp|tritonserver)[^ ]*' | sort -u | tr '\n' ' ')"
(cd /opt && tar --exclude="libonnxruntime.so.1.*" -cf - tritonserver | xz -T0 -6 > "$out/install.tar.xz")

# ---------------------------------------------------------------- the real server, tslim verify
if [[ ! -x $I/bin/tritonserver || ! -f $I/lib/libtritonserver.so ]]; then
  say "no tritonserver built: nothing to run"; exit 1
fi
live() { if command -v curl > /dev/null; then curl -sf -o /dev/null "$1"; else
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2> /dev/null; fi; }
get() { if command -v curl > /dev/null; then curl -s "$@"; else
  python3 -c 'import sys, urllib.request as u; m = "POST" if "-X" in sys.argv else "GET"; print(u.urlopen(u.Request(sys.argv[-1], method=m, data=b"" if m == "POST" else None)).read().decode())' "$@"; fi; }
kinds() {  # the instance kinds the server reports for each loaded model
  for m in "$@"; do echo "  $m: $(get http://127.0.0.1:18000/v2/models/$m/config | python3 -c 'import json, sys; c = json.load(sys.stdin); print(c.get("backend"), [g.get("kind") for g in c.get("instance_group", [])])' 2>&1)"; done; }
server_pid=
start_server() {  # start_server LOG ARGS...: waits for /v2/health/live (and the models given with --load-model)
  local log=$1; shift
  local t=$(date +%s%N)
  env LD_LIBRARY_PATH=$RUNLIB PYTHONPATH=$SITE $I/bin/tritonserver --backend-directory=$I/backends \
    --model-control-mode=explicit --http-port=18000 --grpc-port=18001 --metrics-port=18002 --exit-on-error=false \
    "$@" > "$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    live http://127.0.0.1:18000/v2/health/live && break
    kill -0 $server_pid 2>/dev/null || { say "server exited: $(tail -5 "$log")"; return 1; }
    sleep 0.1
  done
  say "server live after $((($(date +%s%N) - t) / 1000000)) ms (pid $server_pid, $*)"
}
stop_server() { [[ -n $server_pid ]] && kill $server_pid 2>/dev/null && wait $server_pid 2>/dev/null; server_pid=; }
verify() {  # verify NAME: tslim verify --url, JSON to $out/verify-NAME.json
  local t=$(date +%s%N)
  timeout 200 $NODE bin/tslim.js verify --url http://127.0.0.1:18000 --metrics-url http://127.0.0.1:18002/metrics \
    --backend pytorch,onnxruntime --json > "$out/verify-$1.json" 2> $W/logs/verify-$1.err
  local rc=$?
  say "tslim verify --url ($1): exit $rc in $((($(date +%s%N) - t) / 1000000)) ms"
  python3 - "$out/verify-$1.json" <<'PY' | tee -a "$summary"
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print("  no JSON:", e); sys.exit()
if "error" in r: print("  error:", r["error"])
for k in ("ok", "durationMs"):
    if k in r: print(f"  {k}: {r[k]}")
for b in r.get("results", []):
    print(f"  {b.get('backend')}: {b.get('status')} {b.get('state', '')} {b.get('reason', '')} {b.get('message', '')}".rstrip())
    for o in b.get("outputs") or []:
        print("    ", json.dumps(o)[:300])
if r.get("gpuProblem"): print("  gpuProblem:", r["gpuProblem"])
PY
}
rm -rf $W/rep-gpu $W/rep-cpu $W/rep-mixed $W/user
$NODE bin/tslim.js verify --write-repository $W/rep-gpu --backend pytorch,onnxruntime > /dev/null
$NODE bin/tslim.js verify --write-repository $W/rep-cpu --gpus none --backend onnxruntime > /dev/null
mkdir -p $W/rep-mixed && cp -r $W/rep-gpu/tslim_pytorch $W/rep-cpu/tslim_onnxruntime $W/rep-mixed/
pyflag=; [[ -f $I/backends/python/libtriton_python.so ]] && pyflag=--python
python3 "$here"/make_user_repo.py $W/user $pyflag 2>&1 | grep -v Warning | tee -a "$summary"
nvidia-smi --query-gpu=memory.used --format=csv,noheader | sed 's/^/GPU memory before: /' | tee -a "$summary"

say "== run 1: both samples on KIND_GPU"
if start_server "$out/server-kind-gpu.log" --model-repository=$W/rep-gpu --load-model=tslim_pytorch --load-model=tslim_onnxruntime; then
  verify kind-gpu
  get http://127.0.0.1:18000/v2 | tee -a "$summary"; echo | tee -a "$summary"
  get -X POST http://127.0.0.1:18000/v2/repository/index | tee -a "$summary"; echo | tee -a "$summary"
  kinds tslim_pytorch tslim_onnxruntime | tee -a "$summary"
fi
stop_server

say "== run 2: pytorch on KIND_GPU, onnxruntime on KIND_CPU, and the user repository"
if start_server "$out/server-mixed.log" --model-repository=$W/rep-mixed --model-repository=$W/user \
    --load-model=tslim_pytorch --load-model=tslim_onnxruntime; then
  verify mixed
  kinds tslim_pytorch tslim_onnxruntime | tee -a "$summary"
  t=$(date +%s%N)
  timeout 200 $NODE "$here"/user-repo.mjs http://127.0.0.1:18000 $W/user > "$out/user-repo.json" 2> $W/logs/user-repo.err
  say "user repository (user-repo.mjs): exit $? in $((($(date +%s%N) - t) / 1000000)) ms; $(tail -2 $W/logs/user-repo.err)"
  python3 - "$out/user-repo.json" <<'PY' 2>&1 | tee -a "$summary"
import json, sys
for m in json.load(open(sys.argv[1]))["models"]:
    errs = [q["error"][:200] for q in m.get("requests", []) if q.get("error")]
    print(f"  {m['name']}: {m['state']}, load {m['loadMs']} ms, {m.get('instanceKinds', '')} {m.get('reason', '')} {errs or ''}")
PY
  python3 "$here"/check_user_repo.py $W/user "$out/user-repo.json" 2>&1 | grep -v Warning | tee -a "$summary"
  nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader | sed 's/^/GPU process: /' | tee -a "$summary"
  get http://127.0.0.1:18002/metrics | grep -E '^nv_inference_(request_success|count)\{' | head -20 | tee -a "$summary"
fi
stop_server
say "== server logs: instances and errors"
grep -h -E 'ModelInstanceInitialize|Started |successfully loaded|failed to load|E[0-9]{4} ' "$out"/server-*.log | cut -c1-400 | head -60 | tee -a "$summary"
say "== done in $(elapsed) s"
