#!/usr/bin/env bash
# Proves that the GPU bundle is self-contained, here, with the CUDA emulator standing in for the
# GPU: builds the bundle (unless --archive FILE names one), unpacks it into a fresh temporary
# folder, and runs its run.sh --emu there in an empty environment whose PATH holds only the
# system tools run.sh uses (no java: the check fails if one is found), so every Java class, native
# library and kernel comes from the bundle (the JVM's temporary folder is a fresh one too, so no
# library extracted there by an earlier run is found). Then it runs the info step once more without
# --emu, with a stub libcuda.so.1 whose cuInit answers "no device" (compiled here with cc): the
# bundle's libJCudaDriver must load from its native/ folder and reach the driver.
# Prints run.sh's summary; exits non-zero if either part fails.
#
# usage: tools/gpu-bundle/check.sh [--archive FILE] [--keep]
#   --keep   leave the unpacked bundle and its OUTDIR in place (their path is printed)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

archive=""
keep=no
while (( $# )); do
  case $1 in
    --archive) (( $# >= 2 )) || { echo "check.sh: --archive needs a file" >&2; exit 2; }; archive=$2; shift ;;
    --keep) keep=yes ;;
    *) echo "check.sh: unknown argument '$1' (usage: tools/gpu-bundle/check.sh [--archive FILE] [--keep])" >&2; exit 2 ;;
  esac
  shift
done
if [[ -z $archive ]]; then
  archive=target/gpu-bundle-check/stylemap-gpu.tar.xz
  tools/gpu-bundle/build.sh --out "$archive"
fi
archive=$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stylemap-gpu-check.XXXXXX")
[[ $keep == yes ]] || trap 'rm -rf "$tmp"' EXIT
tar -xJf "$archive" -C "$tmp"

# The tools run.sh calls, and nothing else: a GPU machine without a JDK has at least these.
mkdir "$tmp/bin"
for t in bash env sh cat cp mv rm ln ls mkdir mktemp date dirname basename head tail tee tr sed grep sort uniq \
         find tar gzip timeout nproc uname printf sleep; do
  p=$(command -v "$t") || { echo "check.sh: $t not found here" >&2; exit 1; }
  ln -s "$p" "$tmp/bin/$t"
done

mkdir "$tmp/jtmp"
bare_env=(env -i PATH="$tmp/bin" HOME="$tmp" STYLEMAP_JAVA_OPTS="-Djava.io.tmpdir=$tmp/jtmp")

echo "[check] unpacked into $tmp/stylemap-gpu; running run.sh --emu with PATH=$tmp/bin and no other environment"
set +e
"${bare_env[@]}" bash -c '
  if command -v java >/dev/null; then echo "check.sh: a java is on PATH ($(command -v java)): not a proof" >&2; exit 1; fi
  echo "[check] which java: none"
  exec "$0" --emu "$@"' "$tmp/stylemap-gpu/run.sh" "$tmp/out"
rc=$?
set -e
echo "[check] run.sh exit code $rc; OUTDIR holds: $(ls "$tmp/out" | tr '\n' ' ')"

mkdir "$tmp/stub"
printf 'int cuInit(unsigned flags) { return 100; /* CUDA_ERROR_NO_DEVICE */ }\n' >"$tmp/stub/stub.c"
cc -shared -fPIC -o "$tmp/stub/libcuda.so.1" "$tmp/stub/stub.c"
"${bare_env[@]}" LD_LIBRARY_PATH="$tmp/stub" "$tmp/stylemap-gpu/run.sh" --steps info "$tmp/out-stub" >/dev/null
expected="cuda      unavailable: no GPU (the CUDA driver found no device)"
if grep -qF "$expected" "$tmp/out-stub/summary.txt"; then
  echo "[check] with a stub libcuda.so.1: '$expected' (libJCudaDriver loaded from the bundle)"
else
  echo "[check] FAILED: with a stub libcuda.so.1, info did not say '$expected':" >&2
  cat "$tmp/out-stub/summary.txt" >&2
  rc=1
fi
exit $rc
