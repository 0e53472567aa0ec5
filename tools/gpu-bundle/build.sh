#!/usr/bin/env bash
# Builds the GPU bundle (docs/GPU.md): one .tar.xz of at most 40 MiB that runs the GPU window on a
# Linux x86-64 machine with an NVIDIA GPU and no JDK:
#
#   stylemap-gpu/run.sh                   the window (tools/gpu-bundle/run.sh)
#   stylemap-gpu/jre/                     a jlinked JDK 25 runtime, libjvm.so stripped
#   stylemap-gpu/lib/                     stylemap.jar (kernels' fatbins inside) and the runtime jars it loads
#   stylemap-gpu/native/                  libJCudaDriver only (not the 9.5 MB natives jar)
#   stylemap-gpu/test/                    test classes (with the test kernels), JUnit console launcher
#   stylemap-gpu/cuda-tests.txt           the test classes with cuda cases
#   stylemap-gpu/configs/, tools/peer/ (when present); not the parity fixture: the device tool sends
#                                         the working tree, which holds it, and run.sh links it from there
#   stylemap-gpu/BUNDLE.txt               commit, date, modules, sizes
#
# usage: tools/gpu-bundle/build.sh [--out FILE] [--official DIR]
#   --out FILE      the archive (default gpu/stylemap-gpu.tar.xz; gpu/ is ignored by git). An existing
#                   file is replaced only if it is an earlier bundle.
#   --official DIR  also copy the official StyleMapGAN code's training/ folder (CC BY-NC: never
#                   committed) into StyleMapGAN/ beside the archive (gpu/StyleMapGAN by default),
#                   for run.sh's peer step.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
caller=$PWD
cd "$root"
limit_mib=40

die() { echo "build.sh: $1" >&2; exit 1; }

out=gpu/stylemap-gpu.tar.xz
official=""
while (( $# )); do
  case $1 in
    --out) (( $# >= 2 )) || die "--out needs a file name"; out=$2; [[ $out == /* ]] || out=$caller/$out; shift ;;
    --official) (( $# >= 2 )) || die "--official needs the folder of an official StyleMapGAN checkout"; official=$2
      [[ $official == /* ]] || official=$caller/$official; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (usage: tools/gpu-bundle/build.sh [--out FILE] [--official DIR])" ;;
  esac
  shift
done
[[ $out == *.tar.xz ]] || die "--out must end in .tar.xz, got '$out'"
if [[ -e $out ]] && ! tar -tJf "$out" stylemap-gpu/run.sh >/dev/null 2>&1; then
  die "$out exists and is not a GPU bundle; not replacing it (choose another --out)"
fi
if [[ -n $official && ! -f $official/training/model.py ]]; then
  die "$official is not an official StyleMapGAN checkout (no training/model.py there)"
fi

# A JDK >= 25 with jlink and jdeps (as the launcher finds one, plus the tools this needs).
jdk=""
for home in "${STYLEMAP_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
  [[ -n $home && -x $home/bin/jlink && -x $home/bin/jdeps ]] || continue
  v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
  if [[ -n $v && $v -ge 25 ]]; then jdk=$home; break; fi
done
[[ -n $jdk ]] || die "no JDK 25 or newer with jlink found (looked at \$STYLEMAP_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm, /opt)"

# jansi.noreset: Maven 3.8 prints raw reset escapes even in quiet batch mode without it.
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true"
echo "[gpu-bundle] mvn package (tests compiled, not run)..."
mvn -q -B -Dstyle.color=never -DskipTests package
grep -q '^fatbins=yes' target/classes/kernels/index.properties \
  || die "the kernels' fatbins were not built (target/classes/kernels/index.properties: $(grep '^fatbins' target/classes/kernels/index.properties | tr '\n' ' ')); the bundle needs nvcc"
grep -q '^fatbins=yes' target/test-classes/kernels-test/index.properties || die "the test kernels' fatbins were not built; the bundle needs nvcc"

# The JUnit console launcher of the JUnit Platform the tests are compiled against (Jupiter 5.x.y runs on Platform 1.x.y).
jupiter=$(sed -n 's|.*<junit.version>\(.*\)</junit.version>.*|\1|p' pom.xml)
platform=$([[ $jupiter == 5.* ]] && echo "1.${jupiter#5.}" || echo "$jupiter")
console=target/gpu-bundle-tools/junit-platform-console-standalone-$platform.jar
if [[ ! -f $console ]]; then
  echo "[gpu-bundle] fetching junit-platform-console-standalone $platform (Maven)..."
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
    -DoutputDirectory=target/gpu-bundle-tools
fi

stage=target/gpu-bundle
b=$stage/stylemap-gpu
rm -rf "$stage"
mkdir -p "$b"/{lib,native,test,configs}

# Runtime jars: everything the runtime scope brings except jcuda's natives jar (its one loaded
# library goes to native/) and jhdf's lz4-java and compress-lzf: they decode only LZ4/LZF-compressed
# HDF5 datasets, which the bundle's files do not hold (no class of theirs loads in verify-parity or
# the benchmarks, -Xlog:class+load). commons-lang3 and slf4j are loaded by jhdf.
cp target/stylemap.jar "$b/lib/"
for j in target/lib/*.jar; do
  case $(basename "$j") in jcuda-natives-*|lz4-java-*|compress-lzf-*) ;; *) cp "$j" "$b/lib/" ;; esac
done
natives=$(ls target/lib/jcuda-natives-*-linux-x86_64.jar)
(cd "$b/native" && "$jdk/bin/jar" xf "$root/$natives" && find . -name 'libJCudaDriver-*.so' -exec mv {} . \; \
  && find . -mindepth 1 ! -name 'libJCudaDriver-*.so' -delete)
ls "$b"/native/libJCudaDriver-*.so >/dev/null || die "libJCudaDriver not found in $natives"

# Test classes with the test kernels (kernels-test/), without the fixtures: the working tree the
# device tool sends already holds them (17 MB each), and run.sh links the one it needs.
cp -r target/test-classes "$b/test/classes"
rm -rf "$b/test/classes/fixtures"
cp "$console" "$b/test/junit-platform-console-standalone.jar"
# The test classes with cuda cases: those parametrized over CudaDevices or TestRuntimes.
grep -rlE 'CudaDevices|TestRuntimes' src/test/java --include='*Test.java' \
  | sed 's|^src/test/java/||; s|\.java$||; s|/|.|g' | sort >"$b/cuda-tests.txt"
cp configs/*.properties "$b/configs/"
if [[ -f tools/peer/official_step_time.py ]]; then
  mkdir -p "$b/tools/peer" && cp tools/peer/*.py "$b/tools/peer/"
fi
cp tools/gpu-bundle/run.sh "$b/run.sh"
chmod +x "$b/run.sh"

# The Java runtime: the modules jdeps finds in the code that runs, java.desktop included (the train
# command's sample grids and loss plot, which CudaTrainingTest runs on the device), less java.sql
# (only JUnit's CSV-source routines refer to it; the CUDA tests use none).
modules=$("$jdk/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
  --class-path "$b/lib/*" "$b"/lib/*.jar "$b/test/junit-platform-console-standalone.jar" 2>/dev/null | tail -n1)
modules=$(tr ',' '\n' <<<"$modules,jdk.incubator.vector,java.logging,jdk.unsupported" | grep -vxE 'java.sql' | sort -u | paste -sd,)
echo "[gpu-bundle] jlink $modules"
# jlink prints the incubator module's warning (on stdout); the filter drops that line only.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --output "$b/jre" 2>&1 \
  | { grep -v 'Using incubator modules' || true; }
strip --strip-unneeded "$b/jre/lib/server/libjvm.so"

{
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'), built $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "java: $("$b/jre/bin/java" -version 2>&1 | sed -n 2p)"
  echo "modules: $modules"
  echo "junit console: $platform"
  echo "unpacked sizes:"
  (cd "$b" && du -sh jre lib native test configs | sed 's/^/  /')
} >"$b/BUNDLE.txt"

mkdir -p "$(dirname "$out")"
echo "[gpu-bundle] compressing (xz)..."
tar -C "$stage" -cf - stylemap-gpu | xz -9 -T0 >"$out.tmp"
bytes=$(stat -c %s "$out.tmp")
if (( bytes > limit_mib * 1024 * 1024 )); then
  rm -f "$out.tmp"
  die "the archive is $(( bytes / 1024 / 1024 )) MiB, over the limit of $limit_mib MiB (see $b for what takes the room)"
fi
mv "$out.tmp" "$out"

if [[ -n $official ]]; then
  dest=$(dirname "$out")/StyleMapGAN
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -r "$official/training" "$dest/"
  for f in LICENSE NOTICE; do [[ -f $official/$f ]] && cp "$official/$f" "$dest/"; done
  find "$dest" -name '__pycache__' -prune -exec rm -rf {} +
  echo "[gpu-bundle] official code (training/) copied to $dest ($(du -sh "$dest" | cut -f1))"
fi

# What a call of the device tool sends (docs/GPU.md): the working tree (tracked files and untracked
# ones git does not ignore) plus the carried folder holding the archive; at most 64 MiB in all.
if [[ $(cd "$(dirname "$out")" && pwd) == "$root"/* ]]; then
  tree_bytes=$(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -n1 | cut -f1)
  carried_bytes=$(du -sb "$(dirname "$out")" | cut -f1)
  echo "[gpu-bundle] a device-tool call carrying $(dirname "$out") sends $(( (tree_bytes + carried_bytes) / 1048576 )) MiB" \
    "(working tree $(( tree_bytes / 1048576 )) MiB + $(dirname "$out") $(( carried_bytes / 1048576 )) MiB; limit 64 MiB)"
  (( tree_bytes + carried_bytes <= 64 * 1048576 )) \
    || die "that is over the device tool's 64 MiB: the call would be refused (make the working tree or the bundle smaller)"
fi
echo "[gpu-bundle] $out: $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB (limit $limit_mib MiB)"
echo "[gpu-bundle] on the GPU machine: mkdir -p /tmp/sm && tar -xJf $(basename "$out") -C /tmp/sm && /tmp/sm/stylemap-gpu/run.sh OUTDIR [OFFICIAL_DIR]"
