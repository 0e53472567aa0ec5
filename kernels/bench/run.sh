#!/usr/bin/env bash
# Measures the CUDA emulator: kernels/bench/run.sh [OUT_DIR] builds the test kernels (kernels/test)
# with build.sh and prints nanoseconds per CUDA thread with and without barriers
# (docs/CUDA-EMULATOR.md).
# STYLEMAP_EMU_WORKERS sets the worker threads (default: all cores).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../target/emu-bench}
bash "$here/../build.sh" "$here/../test" "$out/lib" "$out/obj" libemu_bench.so >/dev/null
g++ -std=c++17 -O2 -o "$out/emu_bench" "$here/emu_bench_main.cpp" -ldl
"$out/emu_bench" "$out/lib/libemu_bench.so"
