#!/bin/sh
# Builds the libFuzzer harnesses with clang and runs each for a fixed time.
#   scripts/fuzz.sh [seconds per harness]   (default 60; CI uses a short run)
# Crashes are saved as build-fuzz/crash-*; keep them as regression inputs in
# tests/fuzz/corpus/<harness>/ once fixed.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v clang >/dev/null || { apt-get update -qq && apt-get install -y -qq clang >/dev/null; }
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DMQC_FUZZ=ON -DMQC_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export OMP_WAIT_POLICY=PASSIVE
for harness in profile decode reference event; do
  work=build-fuzz/corpus-$harness
  mkdir -p "$work"
  echo "fuzz_$harness: $seconds s"
  # new inputs go to the scratch corpus; the committed seeds stay read-only
  build-fuzz/tests/fuzz/fuzz_$harness -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix=build-fuzz/ -print_final_stats=1 \
    "$work" "tests/fuzz/corpus/$harness" 2>&1 | tail -12
done
