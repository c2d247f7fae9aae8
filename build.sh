#!/usr/bin/env bash
# Tally's one entry point: installs what is missing (Debian 12), builds, runs, tests.
#   ./build.sh test    sanitized build (ASan + UBSan) and the whole Catch2 suite via ctest
#   ./build.sh run     release build and the main job on embedded defaults
#   ./build.sh build   release build only
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES=(g++ cmake ninja-build pkg-config catch2 libxxhash-dev libsqlite3-dev libssl-dev
  clang libclang-rt-14-dev)

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "build.sh: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  fi
}

configure() {  # configure DIR [cmake args...]
  local dir=$1; shift
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null
}

build_release() {
  configure build/release -DCMAKE_BUILD_TYPE=Release -DTALLY_TESTS=OFF
  cmake --build build/release -j "$JOBS"
}

# The decoders under libFuzzer for a short, fixed budget (clang only; a smoke run, not a
# campaign: run build/fuzz/tests/fuzz/tally-decode-fuzzer longer by hand).
fuzz_smoke() {
  command -v clang++ >/dev/null || { echo "build.sh: clang++ absent, fuzzing skipped"; return; }
  CC=clang CXX=clang++ configure build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g" \
    -DTALLY_FUZZ=ON -DTALLY_TESTS=OFF -DTALLY_NATIVE=OFF
  cmake --build build/fuzz -j "$JOBS"
  local corpus=build/fuzz/corpus
  rm -rf "$corpus" && mkdir -p "$corpus"
  build/fuzz/tests/fuzz/tally-fuzz-corpus "$corpus"
  local log=build/fuzz/fuzz.log rc=0
  build/fuzz/tests/fuzz/tally-decode-fuzzer -max_total_time="${FUZZ_SECONDS:-20}" \
    -print_final_stats=1 "$corpus" >"$log" 2>&1 || rc=$?
  grep -E "stat::number_of_executed_units|ERROR|SUMMARY" "$log" | sed 's/^/fuzz: /' || true
  if [ "$rc" -ne 0 ]; then
    tail -40 "$log"
    echo "build.sh: the decode fuzzer failed (exit $rc); the crashing input is in the current directory"
    exit 1
  fi
}

build_test() {
  configure build/test -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g" -DTALLY_SANITIZE=ON
  cmake --build build/test -j "$JOBS"
}

cmd=${1:-}
case "$cmd" in
  test)
    ensure_packages
    .ci/bans
    .ci/readme_example
    build_test
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    (cd build/test && ctest -j "$JOBS" --output-on-failure --timeout 900)
    fuzz_smoke
    ;;
  run)
    ensure_packages
    build_release
    ./build/release/native/tally-cache-demo
    ;;
  build)
    ensure_packages
    build_release
    ;;
  *)
    echo "usage: ./build.sh test | run | build" >&2
    exit 2
    ;;
esac
