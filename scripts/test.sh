#!/bin/sh
# Builds with warnings as errors and runs the whole test suite.
#   scripts/test.sh             plain build in build/
#   scripts/test.sh --sanitize  AddressSanitizer + UBSan build in build-asan/
#   scripts/test.sh --tsan      ThreadSanitizer build in build-tsan/ (decode/analysis
#                               thread handover; bands run serially, see CMakeLists.txt)
set -eu
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/setup-services.sh   # RabbitMQ, nginx, s3rver for the trigger tests
scripts/setup-browser.sh    # headless Chromium + playwright-core for the report tests

dir=build
flags="-DMQC_WERROR=ON"
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags="$flags -DMQC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
  # a finding exits 86, never 1: a run that should FAIL (exit 1) must not
  # hide one (both sanitizers exit 1 by default)
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86"
  export MQC_SANITIZED=1   # memory-growth tests skip: sanitizer allocators keep freed memory
fi
only=""
if [ "${1:-}" = "--tsan" ]; then
  dir=build-tsan
  flags="$flags -DMQC_TSAN=ON -DCMAKE_BUILD_TYPE=Debug"
  export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp:halt_on_error=1"
  export MQC_SANITIZED=1
  only="media|e2e_checks|e2e_corpus|e2e_bad_input"
fi
cmake -S . -B "$dir" $flags >/dev/null
cmake --build "$dir" -j"$(nproc)"
cd "$dir"
ctest --output-on-failure -j"$(nproc)" ${only:+-R "$only"}
