#!/usr/bin/env bash
# The GPU window in one command: the bundle's run.sh (built by tools/gpu-bundle/build.sh, see
# docs/GPU.md). Runs on a Linux x86-64 machine with an NVIDIA GPU and no JDK (the bundle brings
# its own Java), most valuable step first, each under a time limit and all within a total budget,
# so that a short window still returns the first results:
#
#   info        stylemap info (+ nvidia-smi)
#   tests       the CUDA test classes on the device (JUnit console launcher; its log is the report:
#               the XML reports would need java.xml in the runtime)
#   parity-f32  verify-parity on the fixture, float32
#   kernels     bench --suite kernels (GEMM and convolution throughput of our kernels, cuBLAS)
#   train-64    bench --suite train, size 64 (img/s);   memory-64: bench --suite memory (peak memory)
#   train-256   the official 256 configuration, batch 16; memory-256 likewise
#   peer        the official code's training iteration at 256, batch 16, with the machine's PyTorch
#               (given the path of an official StyleMapGAN checkout)
#   parity-f64  verify-parity in float64 (last: the tests already cover the float64 kernels)
#
# STYLEMAP_JAVA_OPTS adds JVM options to every Java run (e.g. -Dstylemap.threads=8);
# STYLEMAP_HEAP sets the heap (default 8g).
#
# OUTDIR receives two files, rewritten after every step (so a run cut short still leaves them):
# summary.txt (each step's status, time and key lines) and logs.tar.gz (every step's full log,
# the peer's JSON). The summary is also printed at the end.
#
# --emu runs the same steps on the CUDA emulator (cuda-emu) with tiny sizes and skips what only
# makes sense on a GPU (the 256 runs, the peer): the bundle's self-containment check.
set -uo pipefail

usage="usage: run.sh [--emu] [--steps LIST] [--budget SECONDS] OUTDIR [OFFICIAL_STYLEMAPGAN_DIR]"
all_steps=(info tests parity-f32 kernels train-64 memory-64 train-256 memory-256 peer parity-f64)

die() { echo "run.sh: $1" >&2; exit 2; }

emu=no
budget=540
steps_wanted=""
positional=()
while (( $# )); do
  case $1 in
    --emu) emu=yes ;;
    --steps) (( $# >= 2 )) || die "--steps needs a comma-separated list (${all_steps[*]})"; steps_wanted=$2; shift ;;
    --budget) (( $# >= 2 )) || die "--budget needs a number of seconds"; budget=$2; shift ;;
    -h|--help) echo "$usage"; echo "steps, in order: ${all_steps[*]}"; exit 0 ;;
    -*) die "unknown option '$1' ($usage)" ;;
    *) positional+=("$1") ;;
  esac
  shift
done
(( ${#positional[@]} >= 1 && ${#positional[@]} <= 2 )) || die "$usage"
[[ $budget =~ ^[0-9]+$ ]] && (( budget >= 10 )) || die "--budget must be an integer >= 10 (seconds), got '$budget'"
if [[ -n $steps_wanted ]]; then
  IFS=, read -ra chosen <<<"$steps_wanted"
  for s in "${chosen[@]}"; do
    [[ " ${all_steps[*]} " == *" $s "* ]] || die "--steps: unknown step '$s' (available: ${all_steps[*]})"
  done
else
  chosen=("${all_steps[@]}")
fi

outdir=${positional[0]}
official=${positional[1]:-}
if [[ -e $outdir && ! -d $outdir ]]; then die "OUTDIR $outdir exists and is not a folder"; fi
if [[ -d $outdir && -n $(ls -A "$outdir") ]]; then die "OUTDIR $outdir is not empty (choose an empty or new folder; nothing is overwritten)"; fi
if [[ -n $official && ! -f $official/training/model.py ]]; then
  die "$official is not an official StyleMapGAN checkout (no training/model.py there)"
fi
# The parity fixtures come from the folder run.sh is started in: the repository's working tree,
# which the device tool sends beside the bundle (the bundle does not carry a second copy).
fixtures_source=$PWD/src/test/resources/fixtures
[[ -f $fixtures_source/parity_s32.h5 ]] || die "no parity fixture in $fixtures_source: start run.sh in the repository's root (the device tool's working directory)"
bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
java=$bundle/jre/bin/java
[[ -x $java ]] || die "no Java runtime at $java: run.sh runs from an unpacked bundle (tools/gpu-bundle/build.sh)"
mkdir -p "$outdir" || die "cannot create OUTDIR $outdir"
outdir=$(cd "$outdir" && pwd)
[[ -n $official ]] && official=$(cd "$official" && pwd)
cd "$bundle" || exit 2
# The tests and verify-parity look for the fixtures relative to the working directory, as in the repository.
mkdir -p src/test/resources && ln -sfn "$fixtures_source" src/test/resources/fixtures

work=$(mktemp -d "${TMPDIR:-/tmp}/stylemap-gpu.XXXXXX")
logs=$work/logs
mkdir -p "$logs"
device=cuda
[[ $emu == yes ]] && device=cuda-emu

# Libraries found by plain dlopen: libcuda.so.1 (JCuda's driver library links it) where the
# linker's cache does not list it, and cuBLAS 13 / cuDNN 9 (reached through java.lang.foreign),
# which come with the machine's PyTorch (site-packages/nvidia/...) or the CUDA toolkit.
add_library_dir() {
  case ":${LD_LIBRARY_PATH:-}:" in *":$1:"*) ;; *) LD_LIBRARY_PATH=$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ;; esac
}
if [[ $emu == no ]]; then
  if ! { command -v ldconfig >/dev/null && ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; }; then
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/cuda/compat; do
      [[ -e $d/libcuda.so.1 ]] && { add_library_dir "$d"; break; }
    done
  fi
  if command -v python3 >/dev/null 2>&1; then
    for d in $(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null); do
      while IFS= read -r lib; do add_library_dir "$lib"; done \
        < <(find "$d/nvidia" -maxdepth 3 \( -name 'libcublas.so.*' -o -name 'libcudnn.so.*' \) -printf '%h\n' 2>/dev/null | sort -u)
    done
  fi
  cublas_found=no
  IFS=: read -ra library_dirs <<<"${LD_LIBRARY_PATH:-}"
  for d in "${library_dirs[@]}"; do compgen -G "$d/libcublas.so.*" >/dev/null && cublas_found=yes; done
  [[ $cublas_found == no && -e /usr/local/cuda/lib64/libcublas.so.13 ]] && add_library_dir /usr/local/cuda/lib64
  export LD_LIBRARY_PATH
fi

read -ra user_opts <<<"${STYLEMAP_JAVA_OPTS:-}"
jvm=("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC
  "-Xmx${STYLEMAP_HEAP:-8g}" -Xss8m -Djava.library.path="$bundle/native" -Dstylemap.home="$bundle" "${user_opts[@]}")
# Set by a step's retry when the fused kernels are missing (see run_step).
extra_jvm=()

stylemap() { "${jvm[@]}" "${extra_jvm[@]}" -cp "$bundle/lib/*" org.stylemap.cli.Main "$@"; }

# Step bodies: each writes to stdout/stderr (captured in its log) and returns non-zero on failure.
step_info() {
  stylemap info || return
  echo "uname: $(uname -srm); nproc: $(nproc); $(grep -E '^MemTotal' /proc/meminfo | tr -s ' '); LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.sm,clocks.max.sm,temperature.gpu --format=csv
  else
    echo "nvidia-smi: not found"
  fi
}

step_tests() {
  local selects=() c
  while IFS= read -r c; do [[ -n $c ]] && selects+=("--select-class=$c"); done <"$bundle/cuda-tests.txt"
  "${jvm[@]}" -cp "$bundle/test/junit-platform-console-standalone.jar:$bundle/test/classes:$bundle/lib/*" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors \
    --details=tree --details-theme=ascii "${selects[@]}"
}

fixture=src/test/resources/fixtures/parity_s32.h5
step_parity-f32() { stylemap verify-parity "$fixture" --device "$device" --dtype f32; }
step_parity-f64() { stylemap verify-parity "$fixture" --device "$device" --dtype f64; }
step_kernels() { stylemap bench --suite kernels --device "$device"; }

# Size 64: the configuration of docs/BENCHMARKS.md's CPU rows (and of the official code's CPU
# timing in docs/PEER.md). On the emulator: the tiny configuration at batch 2.
if [[ $emu == yes ]]; then
  small=(--set batch=2); small_iterations=1
else
  small=(--set size=64 channel_max=128 batch=8 latent_channel_size=64 mapping_layer_num=8); small_iterations=4
fi
official256=(--config configs/celeba_hq_256.properties)
step_train-64() { stylemap bench --suite train --device "$device" "${small[@]}" --iterations "$small_iterations"; }
step_memory-64() { stylemap bench --suite memory --device "$device" "${small[@]}"; }
step_train-256() { stylemap bench --suite train --device "$device" "${official256[@]}" --iterations 2; }
step_memory-256() { stylemap bench --suite memory --device "$device" "${official256[@]}"; }

step_peer() {
  PYTHONUNBUFFERED=1 python3 "$bundle/tools/peer/official_step_time.py" --official "$official" --json "$logs/official_step_time.json"
}

# Why a step does not run here (empty: it runs).
skip_reason() {
  case $1 in
    train-256|memory-256) [[ $emu == yes ]] && echo "emulator mode (the official 256 configuration only makes sense on a GPU)" ;;
    peer)
      if [[ $emu == yes ]]; then echo "emulator mode (the official code on a GPU)"
      elif [[ -z $official ]]; then echo "no official StyleMapGAN checkout given (second argument)"
      elif [[ ! -f $bundle/tools/peer/official_step_time.py ]]; then echo "tools/peer/official_step_time.py was not in the tree the bundle was built from"
      elif ! command -v python3 >/dev/null 2>&1; then echo "no python3 on PATH"
      fi ;;
  esac
}

# Seconds each step may take (on the emulator too: it is slower per kernel, but runs tiny sizes).
limit_of() {
  case $1 in
    info) echo 60 ;; tests) echo 180 ;; parity-f32|parity-f64) echo 120 ;; kernels) echo 120 ;;
    train-64|memory-64) echo 90 ;; train-256) echo 180 ;; memory-256) echo 120 ;; peer) echo 240 ;;
  esac
}

# The lines of a step's log that go into the summary.
key_lines() {
  local step=$1 log=$2
  case $step in
    info) grep -v 'Using incubator modules' "$log" ;;
    tests)
      grep -E '(tests|containers) (found|successful|failed|aborted|skipped)' "$log"
      sed -n '/^Failures (/,/^Test run finished/p' "$log" | grep -E '^(Failures|  JUnit Jupiter:|    => )' | head -n 40
      grep -oE 'Assumption failed: .*' "$log" | sort | uniq -c | head -n 5 ;;
    parity-*) grep -E 'tensors compared|FAIL|fail' "$log" | head -n 25 ;;
    kernels) grep -E '^(device:|NOTE|\|)' "$log" ;;
    train-*) grep -E '^\|' "$log" ;;
    memory-*) grep -E '^(\||between|process|cuda|cuda-emu)' "$log" ;;
    peer) grep -E '^(torch|config|ops:|plain iteration|torch.cuda.max_memory|VmHWM|\| )' "$log" ;;
  esac
}

summary=$work/summary.txt
started=$(date +%s)
failures=0
{
  echo "stylemap GPU bundle: $(head -n1 "$bundle/BUNDLE.txt" 2>/dev/null)"
  echo "device: $device; started $(date -u '+%Y-%m-%d %H:%M:%S UTC'); budget ${budget} s; steps: ${chosen[*]}"
} >"$summary"

publish() { # the two files OUTDIR holds, rewritten whole
  cp "$summary" "$outdir/summary.txt.tmp" && mv "$outdir/summary.txt.tmp" "$outdir/summary.txt"
  tar -C "$work" -czf "$outdir/logs.tar.gz.tmp" logs summary.txt && mv "$outdir/logs.tar.gz.tmp" "$outdir/logs.tar.gz"
}

# Runs step_$2 under a limit of $1 seconds. At the limit, timeout sends SIGQUIT to the step's
# process group: a JVM prints every thread's stack into the log (where a kernel or test hangs) and
# goes on; the shell ignores it; 10 s later the whole group is killed (exit 137).
in_time() {
  timeout -s QUIT -k 10 "$1" bash -c "trap '' QUIT
    $(declare -p jvm extra_jvm small small_iterations official256 device bundle fixture logs official)
    $(declare -f)
    step_$2"
}

run_step() {
  local step=$1 n=$2 reason limit left t0 rc status log status_note=""
  log=$logs/$(printf '%02d' "$n")-$step.log
  reason=$(skip_reason "$step")
  if [[ -n $reason ]]; then
    echo "[run.sh] $step: skipped"
    printf '\n== %s: skipped: %s\n' "$step" "$reason" >>"$summary"
    return
  fi
  left=$(( budget - ($(date +%s) - started) ))
  if (( left < 15 )); then
    echo "[run.sh] $step: not run (budget spent)"
    printf '\n== %s: not run: the budget of %s s is spent\n' "$step" "$budget" >>"$summary"
    failures=$((failures + 1))
    return
  fi
  limit=$(limit_of "$step")
  (( limit > left )) && limit=$left
  echo "[run.sh] $step (limit ${limit} s)..."
  t0=$(date +%s)
  extra_jvm=()
  in_time "$limit" "$step" >"$log" 2>&1
  rc=$?
  # The fused ops' kernels may not exist yet in this build: run the step again on their
  # composite reference twins (-Dstylemap.reference=true) and say so.
  if (( rc != 0 && rc != 124 && rc != 137 )) && grep -q 'has no kernel yet' "$log"; then
    left=$(( budget - ($(date +%s) - started) ))
    if (( left >= 15 )); then
      (( limit > left )) && limit=$left
      mv "$log" "${log%.log}-no-kernel.log"
      extra_jvm=(-Dstylemap.reference=true)
      in_time "$limit" "$step" >"$log" 2>&1
      rc=$?
      extra_jvm=()
      status_note=" (on the fused ops' reference twins: $(grep -om1 '[a-z_0-9]* has no kernel yet' "${log%.log}-no-kernel.log"))"
    fi
  fi
  case $rc in
    0) status="ok" ;;
    124|137) status="TIMEOUT after ${limit} s"; failures=$((failures + 1)) ;;
    *) status="FAILED (exit $rc)"; failures=$((failures + 1)) ;;
  esac
  {
    printf '\n== %s: %s%s, %d s\n' "$step" "$status" "${status_note:-}" $(( $(date +%s) - t0 ))
    key_lines "$step" "$log"
    if [[ $status == TIMEOUT* ]]; then
      echo "-- the last lines before the thread dump, and the main thread's stack:"
      sed '/^Full thread dump/,$d' "$log" | tail -n 8
      sed -n '/^"main"/,/^$/p' "$log" | head -n 25
    elif [[ $status != ok ]]; then
      echo "-- last lines of the log:"; tail -n 15 "$log"
    fi
  } >>"$summary"
  publish
}

n=0
for step in "${chosen[@]}"; do
  n=$((n + 1))
  run_step "$step" "$n"
done
printf '\n%d step(s) failed; total %d s; logs: %s/logs.tar.gz\n' "$failures" $(( $(date +%s) - started )) "$outdir" >>"$summary"
publish
echo
echo "=================== summary ==================="
cat "$summary"
rm -rf "$work"
(( failures == 0 ))
