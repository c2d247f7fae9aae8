#!/usr/bin/env bash
# Tally's one entry point: installs what is missing (Debian 12), builds, runs, tests.
#   ./build.sh test    sanitized build (ASan + UBSan) and the whole Catch2 suite via ctest
#   ./build.sh run     release build, the simulator's narrated scenarios, then a 3-node cluster
#                      under ./data (DATA_DIR to change it, BASE_PORT for the ports)
#   ./build.sh soak N  N simulator seeds over every core, with seeds per second
#   ./build.sh bench   release build, then the benchmark suite against its baselines (< 10 min)
#   ./build.sh build   release build only
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES=(g++ cmake ninja-build pkg-config catch2 libxxhash-dev libsqlite3-dev libssl-dev
  libcli11-dev clang libclang-rt-14-dev capnproto libcapnp-dev libuv1-dev libraft-dev libh2o-dev
  rapidjson-dev gnuplot-nox robin-map-dev)

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
  # The Cap'n Proto log entry decoder (native/codec), seeded with wire entries and the
  # schema-evolution fixture.
  local entry_corpus=build/fuzz/entry-corpus entry_log=build/fuzz/entry-fuzz.log
  rm -rf "$entry_corpus" && mkdir -p "$entry_corpus"
  build/fuzz/tests/fuzz/tally-entry-corpus "$entry_corpus"
  cp tests/fixtures/entry-rev1.bin "$entry_corpus/"
  rc=0
  build/fuzz/tests/fuzz/tally-entry-fuzzer -max_total_time="${FUZZ_ENTRY_SECONDS:-15}" \
    -print_final_stats=1 "$entry_corpus" >"$entry_log" 2>&1 || rc=$?
  grep -E "stat::number_of_executed_units|ERROR|SUMMARY" "$entry_log" | sed 's/^/entry fuzz: /' || true
  if [ "$rc" -ne 0 ]; then
    tail -40 "$entry_log"
    echo "build.sh: the entry fuzzer failed (exit $rc); the crashing input is in the current directory"
    exit 1
  fi
}

build_test() {
  configure build/test -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g" -DTALLY_SANITIZE=ON
  cmake --build build/test -j "$JOBS"
}

# Runs SEEDS seeds split over every core (one tally-sim process each) and reports the rate.
soak() {
  local seeds=$1 steps=$2 per=$(( ($1 + JOBS - 1) / JOBS )) first=1 pids=() logs=() rc=0
  local started=$(date +%s.%N)
  for ((j = 0; j < JOBS && first <= seeds; j++)); do
    local count=$(( seeds - first + 1 < per ? seeds - first + 1 : per ))
    local log=build/release/soak-$j.log
    ./build/release/native/tally-sim run --first-seed "$first" --seeds "$count" --steps "$steps" \
      --quiet >"$log" 2>&1 &
    pids+=($!)
    logs+=("$log")
    first=$(( first + count ))
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  local elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  for log in "${logs[@]}"; do grep -E "seeds \(|FAILED|reproduce" "$log"; done
  printf "soak: %s seeds x %s steps in %.1f s: %.1f seeds/s over %s processes\n" "$seeds" "$steps" \
    "$elapsed" "$(awk -v s="$seeds" -v e="$elapsed" 'BEGIN { print s / e }')" "${#pids[@]}"
  return $rc
}

# A 3-node cluster of tallyd on SQLite under DATA_DIR (default ./data), in the background.
run_cluster() {
  local tally=./build/release/native/tally dir=${DATA_DIR:-$ROOT/data} base=${BASE_PORT:-7000}
  echo "== a 3-node cluster under $dir"
  if [ -f "$dir/cluster.json" ]; then $tally cluster down --dir "$dir" >/dev/null 2>&1 || true; fi
  $tally cluster up 3 --dir "$dir" --base-port "$base"
  local node="http://127.0.0.1:$((base + 101))"
  cat <<EOF
Send requests to any node (followers redirect writes to the leader), e.g. $node:
  curl -sL -X POST $node/v3/demo
  curl -sL -X POST $node/v3/demo/transactions \\
    -d '{"postings":[{"source":"world","destination":"users:alice","amount":100,"asset":"USD/2"}]}'
  curl -s $node/v3/demo/accounts/users:alice
Or with the CLI: $tally --node $node tx list demo
Status: $tally cluster status --dir $dir
Stop:   $tally cluster down --dir $dir
EOF
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
    sim=./build/release/native/tally-sim
    echo "== scenario 1, the delete before formancehq/ledger#1455: parity must break"
    $sim scenario 1 --pre-fix
    echo "== scenario 1, the lazy gen0 tombstone: parity must hold"
    $sim scenario 1
    echo "== a short simulation: 20 seeds x 1000 steps, faults on"
    $sim run --seeds 20 --steps 1000
    run_cluster
    ;;
  soak)
    seeds=${2:?usage: ./build.sh soak SEEDS [STEPS]}
    steps=${3:-1000}
    ensure_packages
    build_release
    soak "$seeds" "$steps"
    ;;
  bench)
    ensure_packages
    # Release, no sanitizers; frame pointers kept so that perf record -g works on this binary.
    configure build/bench -DCMAKE_BUILD_TYPE=Release -DTALLY_TESTS=OFF \
      -DCMAKE_CXX_FLAGS="-fno-omit-frame-pointer"
    cmake --build build/bench -j "$JOBS" --target tally-bench tally-bench-admission
    ./build/bench/bench/tally-bench --out build/bench/results "${@:2}"
    ./build/bench/bench/admission/tally-bench-admission
    ;;
  build)
    ensure_packages
    build_release
    ;;
  *)
    echo "usage: ./build.sh test | run | soak SEEDS [STEPS] | bench | build" >&2
    exit 2
    ;;
esac
