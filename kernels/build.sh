#!/usr/bin/env bash
# Compiles every SRC_DIR/*.cu (one file per kernel family) twice:
#   - with nvcc into OUT_DIR/<family>.fatbin (sm_80, sm_90, sm_90a and compute_90 PTX), loaded by the
#     CUDA driver runtime; skipped, with a message, where nvcc is missing;
#   - with g++ into one host library OUT_DIR/LIBRARY, the CUDA emulator (cuda_emu.h, cuda_emu.cpp)
#     with an exported launch entry per kernel (EMU_EXPORT), loaded by the emulator runtime.
# It writes OUT_DIR/index.properties: the families, whether fatbins were built (and why not), the
# library. Only what changed is recompiled (a source, a header of kernels/, or the flags).
#
# usage: build.sh SRC_DIR OUT_DIR OBJ_DIR LIBRARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:?usage: build.sh SRC_DIR OUT_DIR OBJ_DIR LIBRARY}" && pwd)
out=${2:?usage: build.sh SRC_DIR OUT_DIR OBJ_DIR LIBRARY}
obj=${3:?usage: build.sh SRC_DIR OUT_DIR OBJ_DIR LIBRARY}
library=${4:?usage: build.sh SRC_DIR OUT_DIR OBJ_DIR LIBRARY}
mkdir -p "$out" "$obj"
shopt -s nullglob

nvcc_flags=(-fatbin -O3 -std=c++17 -I"$here"
  -gencode arch=compute_80,code=sm_80
  -gencode arch=compute_90,code=sm_90
  -gencode arch=compute_90a,code=sm_90a
  -gencode arch=compute_90,code=compute_90)
# nvcc contracts a*b+c into FMAs; -ffp-contract=fast makes g++ do the same (still not bit-identical).
# g++ ignores `#pragma unroll` (nvcc's), without a warning per loop.
gxx_flags=(-std=c++17 -O3 -fPIC -mavx2 -mfma -ffp-contract=fast -fvisibility=hidden -Wall -Wno-unknown-pragmas -I"$here")

sources=("$src"/*.cu)
headers=("$here"/*.h "$here"/*.cuh)

# Flags or the compiler changed: forget every earlier output.
stamp="$obj/flags"
flags_now="nvcc: ${nvcc_flags[*]} $(command -v nvcc || true)
g++: ${gxx_flags[*]} $(g++ --version 2>/dev/null | head -1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$flags_now" ]]; then
  rm -f "$obj"/*.o "$out"/*.fatbin "$out/$library"
  printf '%s' "$flags_now" >"$stamp"
fi

# Is target older than its source or any header?
stale() {
  local target=$1 source=$2
  [[ -f "$target" && "$target" -nt "$source" ]] || return 0
  local h
  for h in "${headers[@]}"; do [[ "$target" -nt "$h" ]] || return 0; done
  return 1
}

# Jobs run in parallel, as many as there are cores; a failed job fails the build.
pids=()
spawn() {
  while (( $(jobs -rp | wc -l) >= $(nproc) )); do wait -n || true; done
  "$@" &
  pids+=($!)
}

have_nvcc=no
if command -v nvcc >/dev/null 2>&1; then have_nvcc=yes; fi

families=()
objects=("$obj/cuda_emu.o")
for cu in "${sources[@]}"; do
  name=$(basename "$cu" .cu)
  families+=("$name")
  objects+=("$obj/$name.o")
  if [[ $have_nvcc == yes ]] && stale "$out/$name.fatbin" "$cu"; then
    echo "[kernels] nvcc $name.cu"
    spawn nvcc "${nvcc_flags[@]}" -o "$out/$name.fatbin" "$cu"
  fi
  if stale "$obj/$name.o" "$cu"; then
    echo "[kernels] g++ $name.cu"
    spawn g++ "${gxx_flags[@]}" -DEMU_FAMILY="$name" -x c++ -c "$cu" -o "$obj/$name.o"
  fi
done
if stale "$obj/cuda_emu.o" "$here/cuda_emu.cpp"; then
  echo "[kernels] g++ cuda_emu.cpp"
  spawn g++ "${gxx_flags[@]}" -c "$here/cuda_emu.cpp" -o "$obj/cuda_emu.o"
fi
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
if (( failed )); then
  echo "[kernels] compilation failed" >&2
  exit 1
fi

# Outputs of families that no longer exist must not linger in the jar.
for f in "$out"/*.fatbin "$obj"/*.o; do
  name=$(basename "${f%.*}")
  [[ $name == cuda_emu || -f "$src/$name.cu" ]] || rm -f "$f"
done

relink=no
[[ -f "$out/$library" ]] || relink=yes
for o in "${objects[@]}"; do [[ "$out/$library" -nt "$o" ]] || relink=yes; done
if [[ "$(cat "$obj/linked" 2>/dev/null)" != "${families[*]}" ]]; then relink=yes; fi
if [[ $relink == yes ]]; then
  echo "[kernels] linking $library (${#families[@]} kernel families)"
  g++ -shared -o "$out/$library" "${objects[@]}" -pthread -Wl,--no-undefined -Wl,-Bsymbolic
  echo "${families[*]}" >"$obj/linked"
fi

reason=""
if [[ $have_nvcc == no ]]; then
  reason="nvcc was not found when these kernels were built"
  echo "[kernels] nvcc not found: no fatbins for ${#families[@]} kernel families (the CUDA driver runtime will say so); the emulator is built"
fi
{
  echo "# written by kernels/build.sh"
  echo "families=$(IFS=,; echo "${families[*]}")"
  echo "fatbins=$have_nvcc"
  echo "fatbins.missing=$reason"
  echo "emulator=$library"
} >"$out/index.properties.tmp"
mv "$out/index.properties.tmp" "$out/index.properties"
