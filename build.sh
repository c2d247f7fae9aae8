#!/usr/bin/env bash
# Tally's one entry point: installs what is missing (Debian 12), builds, runs, tests.
#   ./build.sh test    sanitized build (ASan + UBSan) and the whole Catch2 suite via ctest (the
#                      loop-stall case against a release tallyd); the golden digests under
#                      Clang; the portable suites in WebAssembly under Node; the visualiser in
#                      headless Chromium; a fuzz smoke run
#   ./build.sh run     release build, the simulator's narrated scenarios, a 3-node cluster under
#                      ./data (DATA_DIR, BASE_PORT) and the visualiser served on 127.0.0.1
#                      (TALLY_WEB_PORT, default 8080)
#   ./build.sh soak N  N simulator seeds over every core, with seeds per second
#   ./build.sh bench [core|e2e]
#                      release build, then the benchmarks (< 15 min): core, the apply path
#                      against plain baselines; e2e, a 3-node cluster as a user starts it against
#                      etcd and PostgreSQL on this machine (bench/e2e/README.md); both by default
#   ./build.sh build   release build only
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES=(g++ cmake ninja-build pkg-config catch2 libxxhash-dev libsqlite3-dev libssl-dev
  libcli11-dev clang libclang-rt-14-dev gnuplot-nox robin-map-dev capnproto libcapnp-dev
  libuv1-dev libraft-dev liblz4-dev libh2o-dev rapidjson-dev libjemalloc-dev emscripten nodejs chromium)

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
  command -v npm >/dev/null || { $sudo apt-get install -y -qq npm; }
}

# The servers the end-to-end benchmark compares Tally with, and its load generator
# (docs/toolchain.md "Benchmark peers"): installed for `./build.sh bench` only. Their packages
# would start them as services: a policy-rc.d that exits 101 stands in place while apt runs
# (the one found there, if any, is put back), and the benchmark runs its own servers.
BENCH_PACKAGES=(wrk etcd-server postgresql-15)

ensure_bench_packages() {
  local missing=()
  for p in "${BENCH_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "build.sh: installing ${missing[*]} (benchmark peers, never started as services)"
  local sudo="" policy=/usr/sbin/policy-rc.d saved=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -e "$policy" ]; then
    saved=$(mktemp)
    $sudo cp -p "$policy" "$saved"
  fi
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  local rc=0
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    "${missing[@]}" || rc=$?
  if [ -n "$saved" ]; then $sudo cp -p "$saved" "$policy" && rm -f "$saved"; else $sudo rm -f "$policy"; fi
  return $rc
}

# The sanitized and fuzzing builds keep line tables only: the sanitizers' reports name file and
# line, and full debug info would cost about a third of their compile time. Reconfigure with
# -DCMAKE_CXX_FLAGS_DEBUG=-g to step through a test in gdb.
SANITIZED_DEBUG_INFO="-g1"

configure() {  # configure DIR [cmake args...]
  local dir=$1; shift
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null
}

build_release() {  # build_release [targets...]: everything by default
  configure build/release -DCMAKE_BUILD_TYPE=Release -DTALLY_TESTS=OFF -DTALLY_NATIVE=ON
  cmake --build build/release -j "$JOBS" ${1:+--target "$@"}
}

# fuzz_run NAME SECONDS WRITER [SEED...] [-- libFuzzer flags...]: seeds build/fuzz/NAME-corpus
# with tests/fuzz's corpus writer WRITER (and the SEED files), runs tally-NAME-fuzzer on it for
# SECONDS, and stops the build on a failure (the crashing input is left in the current
# directory).
fuzz_run() {
  local name=$1 seconds=$2 writer=$3 rc=0
  shift 3
  local corpus=build/fuzz/$name-corpus log=build/fuzz/$name-fuzz.log
  rm -rf "$corpus" && mkdir -p "$corpus"
  "build/fuzz/tests/fuzz/$writer" "$corpus"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do cp "$1" "$corpus/"; shift; done
  [ $# -gt 0 ] && shift
  "build/fuzz/tests/fuzz/tally-$name-fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
    "$@" "$corpus" >"$log" 2>&1 || rc=$?
  grep -E "stat::number_of_executed_units|ERROR|SUMMARY" "$log" | sed "s/^/$name fuzz: /" || true
  if [ "$rc" -ne 0 ]; then
    tail -40 "$log"
    echo "build.sh: the $name fuzzer failed (exit $rc); the crashing input is in the current directory"
    exit 1
  fi
}

# The decoders under libFuzzer for a short, fixed budget (clang only; a smoke run, not a
# campaign: run build/fuzz/tests/fuzz/tally-decode-fuzzer longer by hand).
fuzz_smoke() {
  command -v clang++ >/dev/null || { echo "build.sh: clang++ absent, fuzzing skipped"; return; }
  CC=clang CXX=clang++ configure build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1" \
    -DCMAKE_CXX_FLAGS_DEBUG="$SANITIZED_DEBUG_INFO" -DTALLY_FUZZ=ON -DTALLY_TESTS=OFF -DTALLY_NATIVE=OFF
  cmake --build build/fuzz -j "$JOBS"
  # The core's decoders, seeded with every sample value, order and proposal.
  fuzz_run decode "${FUZZ_SECONDS:-20}" tally-fuzz-corpus
  # The Numscript compiler, binder, footprint and interpreter (core/numscript), seeded with
  # scripts using every construct.
  fuzz_run numscript "${FUZZ_NUMSCRIPT_SECONDS:-15}" tally-numscript-corpus -- -max_len=4096
  # The Cap'n Proto log entry decoder (native/codec), seeded with wire entries and the
  # schema-evolution fixture.
  fuzz_run entry "${FUZZ_ENTRY_SECONDS:-15}" tally-entry-corpus tests/fixtures/entry-rev1.bin
  # What a client hands the API (tokens, the token gate, the revocation list, JSON bodies).
  fuzz_run api "${FUZZ_API_SECONDS:-15}" tally-api-corpus -- -max_len=4096
}

# The Emscripten build (docs/toolchain.md "Emscripten pitfalls"): the portable suites as Node
# programs, ctest running them through node, and the visualiser staged in build/wasm/web.
# The emulator must be passed at every configure: emcmake otherwise sets its own, which Node
# 20 rejects.
build_wasm() {  # build_wasm [target]
  export NODE_PATH=/usr/share/nodejs
  emcmake cmake -S "$ROOT" -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CROSSCOMPILING_EMULATOR="/usr/bin/node;--no-experimental-fetch" >/dev/null
  cmake --build build/wasm -j "$JOBS" ${1:+--target "$1"}
}

# The golden digests (tests/model/golden/digests.txt) once more under Clang: only the core
# and that one test, to stay cheap.
clang_digests() {
  command -v clang++ >/dev/null || { echo "build.sh: clang++ absent"; exit 1; }
  CC=clang CXX=clang++ configure build/clang -DCMAKE_BUILD_TYPE=Release -DTALLY_NATIVE=OFF
  cmake --build build/clang -j "$JOBS" --target tally_digest_tests
  build/clang/tests/tally_digest_tests
}

browser_deps() {
  if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --silent)
  fi
}

# Formance's official SDK for the [compat] tests, at the version tests/compat's lock file pins.
compat_deps() {
  if [ ! -f tests/compat/node_modules/@formance/formance-sdk/package.json ]; then
    (cd tests/compat && npm ci --no-audit --no-fund --silent)
  fi
}

# "N tests" from a ctest log, for the summary.
ctest_counts() {
  grep -E "tests passed, [0-9]+ tests failed out of" "$1" | tail -1
}

seconds_since() {
  echo $(( $(date +%s) - $1 ))
}

# The [browser] test's traces: a short and a 10,000-step simulator run, a deliberately broken
# run (the last node skips one entry), and the live cluster trace the native suite exported.
browser_traces() {
  local sim=build/test/native/tally-sim dir=build/wasm/traces
  mkdir -p "$dir"
  $sim export --seed 3 --steps 80 --out "$dir/sim.json"
  $sim export --seed 5 --steps 10600 --out "$dir/long.json"
  $sim export --seed 3 --steps 300 --plant-divergence 20 --out "$dir/broken.json" || true
  cp build/cluster-trace.json "$dir/cluster.json"
}

# The sanitized suite, and the release node its loop-stall case runs against (a node's loop
# timings under the sanitizers are not a release node's; tests/service/serial_tests.cmake.in).
build_test() {
  build_release tallyd tally
  configure build/test -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1" \
    -DCMAKE_CXX_FLAGS_DEBUG="$SANITIZED_DEBUG_INFO" -DTALLY_SANITIZE=ON \
    -DTALLY_RELEASE_NODE_DIR="$ROOT/build/release/native"
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
  # --trace-records: the nodes keep their apply traces for the visualiser (a cost on every
  # entry, off by default).
  $tally cluster up 3 --dir "$dir" --base-port "$base" --trace-records 4096
  local node="https://127.0.0.1:$((base + 101))" token ca="$dir/tls/ca.pem"
  token=$(cat "$dir/admin.token")
  cat <<EOF
The API is HTTPS under the cluster's own CA ($ca), and every request carries a bearer token
(docs/security.md); the cluster's admin token (every ledger, read write admin, 30 days) is in
$dir/admin.token:
  export TALLY_TOKEN=$token TALLY_CA_CERT=$ca
  tcurl() { curl -s --cacert "\$TALLY_CA_CERT" --location-trusted -H "Authorization: Bearer \$TALLY_TOKEN" "\$@"; }
Send requests to any node: Formance's v2 API at /v2/... (and /api/ledger/v2/... for its
SDKs); a follower redirects to the leader (--location-trusted follows it with the token). E.g.:
  tcurl -X POST $node/v2/demo
  tcurl $node/v2/demo/transactions \\
    --json '{"postings":[{"source":"world","destination":"users:alice","amount":100,"asset":"USD/2"}]}'
  tcurl "$node/v2/demo/accounts/users:alice?expand=volumes"
  tcurl $node/v2/demo/transactions
  tcurl $node/_tally/info; tcurl $node/_tally/check
Or with the CLI (it sends TALLY_TOKEN and trusts TALLY_CA_CERT): $tally --node $node tx list demo
Status: $tally cluster status --dir $dir
Stop:   $tally cluster down --dir $dir
EOF
  # The token at work, as the examples use it: the node's info through a follower or not.
  export TALLY_TOKEN=$token TALLY_CA_CERT=$ca
  tcurl() { curl -s --cacert "$TALLY_CA_CERT" --location-trusted -H "Authorization: Bearer $TALLY_TOKEN" "$@"; }
  echo "== $node/_tally/info with the token:"
  tcurl "$node/_tally/info"
  echo
}

cmd=${1:-}
case "$cmd" in
  test)
    ensure_packages
    .ci/bans
    .ci/readme_example
    .ci/citations
    .ci/no_history
    t0=$(date +%s)
    build_test
    compat_deps
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # The [cli][trace] case leaves its live cluster's trace here for the [browser] test.
    export TALLY_CLUSTER_TRACE=$ROOT/build/cluster-trace.json
    # The native suite runs on 1 MiB stacks (libuv's pool threads take the same limit): a frame
    # too big for a small stack fails here, not on a machine whose limit is lower than ours.
    (
      if [ "$(ulimit -s)" = unlimited ] || [ "$(ulimit -s)" -gt 1024 ]; then ulimit -S -s 1024; fi
      echo "stack limit for the native suite: $(ulimit -s) KiB"
      cd build/test && ctest -j "$JOBS" --output-on-failure --timeout 900
    ) | tee build/native-ctest.log
    t_native=$(seconds_since "$t0")
    t0=$(date +%s)
    clang_digests
    t_clang=$(seconds_since "$t0")
    t0=$(date +%s)
    browser_deps
    build_wasm
    browser_traces
    (cd build/wasm && ctest -j "$JOBS" --output-on-failure --timeout 900) | tee build/wasm-ctest.log
    t_wasm=$(seconds_since "$t0")
    fuzz_smoke
    native_only=$(build/test/tests/tally_tests '[native]' --list-test-names-only | grep -c . || true)
    echo "== test counts (ctest entries; each Catch2 test case is one entry)"
    echo "native, GCC with ASan + UBSan: $(ctest_counts build/native-ctest.log)  [${t_native} s]"
    echo "wasm, Emscripten under Node, plus 1 [browser]: $(ctest_counts build/wasm-ctest.log)  [${t_wasm} s]"
    echo "  the wasm run leaves out the ${native_only} [native] cases (SQLite, fork) and the OpenSSL file"
    grep -h "^browser:" build/wasm/Testing/Temporary/LastTest.log || true
    echo "golden digests: GCC (native suite), Clang [${t_clang} s] and WebAssembly match tests/model/golden/digests.txt"
    ;;
  run)
    ensure_packages
    build_release
    build_wasm tally_web
    node tests/browser/static_server.mjs build/wasm/web "${TALLY_WEB_PORT:-8080}" &
    server=$!
    trap 'kill "$server" 2>/dev/null || true' EXIT
    sleep 1
    sim=./build/release/native/tally-sim
    echo "== scenario 1, the delete before formancehq/ledger#1455: parity must break"
    $sim scenario 1 --pre-fix
    echo "== scenario 1, the lazy gen0 tombstone: parity must hold"
    $sim scenario 1
    echo "== a short simulation: 20 seeds x 1000 steps, faults on"
    $sim run --seeds 20 --steps 1000
    run_cluster
    if [ -t 0 ]; then
      echo "== the visualiser is served at the address printed above (build/wasm/web)"
      echo "   serving until Ctrl-C"
      wait "$server"
    else
      # Not a terminal (CI, a script): nobody can press Ctrl-C, so the page is not kept up.
      echo "== not serving the visualiser: stdin is not a terminal. To serve it:"
      echo "   node tests/browser/static_server.mjs build/wasm/web ${TALLY_WEB_PORT:-8080}"
    fi
    ;;
  soak)
    seeds=${2:?usage: ./build.sh soak SEEDS [STEPS]}
    steps=${3:-1000}
    ensure_packages
    build_release
    soak "$seeds" "$steps"
    ;;
  bench)
    part=${2:-all}
    case "$part" in
      core | e2e | all) shift $(($# > 1 ? 2 : 1)) ;;
      *) part=core; shift ;;  # ./build.sh bench --one ...: arguments for tally-bench
    esac
    ensure_packages
    # Release, no sanitizers; frame pointers kept so that perf record -g works on this binary.
    configure build/bench -DCMAKE_BUILD_TYPE=Release -DTALLY_TESTS=OFF -DTALLY_NATIVE=ON \
      -DCMAKE_CXX_FLAGS="-fno-omit-frame-pointer"
    if [ "$part" != e2e ]; then
      cmake --build build/bench -j "$JOBS" --target tally-bench tally-bench-admission
      ./build/bench/bench/tally-bench --out build/bench/results "$@"
      ./build/bench/bench/admission/tally-bench-admission
    fi
    if [ "$part" != core ]; then
      ensure_bench_packages
      cmake --build build/bench -j "$JOBS" --target tallyd tally
      node bench/e2e/e2e.mjs --bin build/bench/native --out build/bench/results "$@"
    fi
    ;;
  build)
    ensure_packages
    build_release
    ;;
  *)
    echo "usage: ./build.sh test | run | soak SEEDS [STEPS] | bench [core|e2e] | build" >&2
    exit 2
    ;;
esac
