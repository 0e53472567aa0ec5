#!/usr/bin/env bash
# Compiles every kernels/*.cu into <out>/<name>.fatbin (sm_80, sm_90 and PTX for newer GPUs).
# One fatbin per kernel family keeps rebuilds small; the CUDA backend loads them by name.
# Without nvcc the build goes on and the CUDA backend reports itself unavailable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT_DIR}
mkdir -p "$out"
shopt -s nullglob
sources=("$here"/*.cu)
if ! command -v nvcc >/dev/null 2>&1; then
  echo "[kernels] nvcc not found: skipping ${#sources[@]} CUDA kernel file(s); the CUDA backend will be unavailable"
  exit 0
fi
for cu in "${sources[@]}"; do
  name=$(basename "$cu" .cu)
  target="$out/$name.fatbin"
  if [[ -f "$target" && "$target" -nt "$cu" ]]; then continue; fi
  echo "[kernels] nvcc $name.cu"
  nvcc -fatbin -O3 -std=c++17 \
    -gencode arch=compute_80,code=sm_80 \
    -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_90,code=compute_90 \
    -o "$target" "$cu"
done
