#!/usr/bin/env bash
# tslim --trim's proof on real NVIDIA binaries (issue: trim). On the GPU machine: analyse the Python
# environment's torch + CUDA library wheels with tslim's closure code, copy only the kept set into a
# fresh site dir, run the workload there (python3 -S, PYTHONPATH = that dir alone), and check from
# /proc/self/maps that every CUDA library came from it. Twice: closure alone, then closure + dlopen
# table. Needs: dist/ built (npm run build), node (or .devcarry/node.xz), python3 with torch.
# usage: bash scripts/trim-proof/run.sh OUTDIR
set -euo pipefail
out=${1:?usage: run.sh OUTDIR}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
NODE=$(command -v node || true)
if [[ -z $NODE ]]; then xz -dc .devcarry/node.xz > /tmp/node && chmod +x /tmp/node && NODE=/tmp/node; fi
site=$(python3 -c 'import torch, os; print(os.path.dirname(os.path.dirname(torch.__file__)))')
echo "site: $site; node $($NODE -v); $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
ldconfig -p | grep -E 'libcublas|libcudnn|libnccl' | head -3 || echo "ld.so.cache: no CUDA libraries"
du -sb "$site/torch" "$site/nvidia"
# The machine's own CUDA libraries (system dirs, ld.so.cache) would hide a library the trim dropped:
# move them aside for the runs (the machine is throwaway; they are put back on exit).
hidden=/tmp/proof-hidden-system-libs
mkdir -p "$hidden"
for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [[ -d $d ]] || continue
  find "$d" -maxdepth 1 \( -name 'libcublas*' -o -name 'libcudnn*' -o -name 'libnccl*' -o -name 'libcufft*' -o -name 'libcurand*' \
    -o -name 'libcusolver*' -o -name 'libcusparse*' -o -name 'libnvrtc*' -o -name 'libnvJitLink*' -o -name 'libcudart*' \
    -o -name 'libcupti*' -o -name 'libnvToolsExt*' -o -name 'libcufile*' -o -name 'libnvshmem*' \) -printf '%p\n' >> /tmp/proof-hidden.txt || true
done
echo "hidden system CUDA libraries: $(sort -u /tmp/proof-hidden.txt | wc -l)"
sort -u /tmp/proof-hidden.txt | while read -r f; do [[ -e $f || -L $f ]] && mkdir -p "$hidden$(dirname "$f")" && mv "$f" "$hidden$f"; done
trap 'sort -u /tmp/proof-hidden.txt | while read -r f; do [[ -e $hidden$f || -L $hidden$f ]] && mv "$hidden$f" "$f"; done' EXIT
for mode in closure dlopen; do
  flag=$([[ $mode == closure ]] && echo --no-dlopen || echo "")
  "$NODE" "$here/analyse.mjs" "$site" "$out/analysis-$mode.json" $flag
  dst=/tmp/proof-$mode/site
  rm -rf "/tmp/proof-$mode"; mkdir -p "$dst"
  cp -a "$site/torch" "$dst/"
  # the kept CUDA wheel libraries, links and all, in their wheel layout
  python3 - "$out/analysis-$mode.json" "$site" "$dst" <<'PY'
import json, os, shutil, sys
a, site, dst = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
for p in a["keep"]:
    src, to = site + p, dst + p
    os.makedirs(os.path.dirname(to), exist_ok=True)
    if os.path.islink(src): os.symlink(os.readlink(src), to)
    else: shutil.copy2(src, to)
for d in os.listdir(site + "/nvidia"):  # the wheels' python modules (no libraries), for torch's preload
    for f in ("__init__.py",):
        if os.path.exists(f"{site}/nvidia/{d}/{f}"): os.makedirs(f"{dst}/nvidia/{d}", exist_ok=True); shutil.copy2(f"{site}/nvidia/{d}/{f}", f"{dst}/nvidia/{d}/{f}")
if os.path.exists(site + "/nvidia/__init__.py"): shutil.copy2(site + "/nvidia/__init__.py", dst + "/nvidia/__init__.py")
PY
  # every other package, linked, except those that carry or look up CUDA libraries themselves
  for dep in "$site"/*; do
    name=$(basename "$dep")
    case $name in torch|nvidia|cupy*|jax*|triton*|cuda*|nvidia_*|onnxruntime*) continue ;; esac
    [[ -e $dst/$name ]] || ln -s "$dep" "$dst/$name"
  done
  du -sb "$dst/nvidia"
  env -u LD_LIBRARY_PATH PYTHONPATH="$dst" PYTHONDONTWRITEBYTECODE=1 python3 -S "$here/workload.py" > "$out/run-$mode.json" 2> "/tmp/run-$mode.err" || echo "$mode: the workload process died: $(grep -v Warning "/tmp/run-$mode.err" | tail -2)"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[2], {k: v["ok"] for k, v in r["checks"].items()}, "outside:", r["outside"])' "$out/run-$mode.json" "$mode" 2>/dev/null || echo "$mode: no result (process died)"
done
