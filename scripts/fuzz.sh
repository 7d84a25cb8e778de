#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang and runs each.
#   scripts/fuzz.sh [SECONDS]      every harness for SECONDS (default 60; CI: 30)
#   scripts/fuzz.sh --long [RUNS]  nightly depth: every harness for RUNS executions
#                                  (default 1000000); inputs of the grown corpus
#                                  that add coverage (-merge=1), up to 2 KiB each
#                                  ($MQC_FUZZ_KEEP_BYTES), join tests/fuzz/corpus/
#   MQC_FUZZ_ONLY="decode rules"   only these harnesses
# Inputs: tests/fuzz/corpus/<harness>/ (seeds, read-only in a short run),
# tests/fuzz/dict/*.dict (container atoms for decode, JSON keys for the JSON
# parsers, header names for remote_header). Crashes are saved as
# build-fuzz/crash-*; keep them in tests/fuzz/corpus/<harness>/ once fixed.
# Each harness prints its executions as "stat::number_of_executed_units".
set -eu
cd "$(dirname "$0")/.."
long=0
if [ "${1:-}" = "--long" ]; then
  long=1
  shift
fi
if [ $long = 1 ]; then runs=${1:-1000000}; else seconds=${1:-60}; fi
command -v clang >/dev/null || { apt-get update -qq && apt-get install -y -qq clang >/dev/null; }
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DMQC_FUZZ=ON -DMQC_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
# undefined behaviour is a finding too: stop and save the input
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export OMP_WAIT_POLICY=PASSIVE
harnesses=${MQC_FUZZ_ONLY:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
# fuzz_partial reads partials of this build: make one (a 64x36 ProRes + PCM
# clip) and seed the scratch corpus with it, without its payload, which the
# harness puts back
if echo "$harnesses" | grep -qw partial; then
  ffmpeg -v error -nostdin -y -f lavfi -i testsrc2=size=64x36:rate=25:duration=0.2 \
    -f lavfi -i sine=d=0.2 -c:v prores_ks -pix_fmt yuv422p10le -c:a pcm_s16le -shortest \
    build-fuzz/partial.mov
  build-fuzz/mediaqc check build-fuzz/partial.mov --segment 0/1 --quiet \
    -o build-fuzz/partial.json >/dev/null
  mkdir -p build-fuzz/corpus-partial
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in ("stream", "audio", "audio_records", "records", "checksum"):
    d.pop(k)
json.dump(d, sys.stdout, indent=1)' build-fuzz/partial.json >build-fuzz/corpus-partial/seed.json
  export MQC_FUZZ_PARTIAL="$PWD/build-fuzz/partial.json"
fi
status=0
for harness in $harnesses; do
  seeds=tests/fuzz/corpus/$harness
  work=build-fuzz/corpus-$harness
  mkdir -p "$work" "$seeds"
  # -timeout is wall-clock time: generous, so a loaded machine is not a finding
  set -- -timeout=60 -rss_limit_mb=4096 -artifact_prefix=build-fuzz/ -print_final_stats=1
  case $harness in
    # small inputs: a mutation reaches the demuxer's and decoder's headers, not
    # the middle of a picture
    decode) set -- "$@" -max_len=4096 -dict=tests/fuzz/dict/decode.dict ;;
    profile|event|rules|partial) set -- "$@" -max_len=65536 -dict=tests/fuzz/dict/json.dict ;;
    remote_header) set -- "$@" -max_len=4096 -dict=tests/fuzz/dict/remote_header.dict ;;
    *) set -- "$@" -max_len=65536 ;;
  esac
  if [ $long = 1 ]; then
    echo "fuzz_$harness: $runs executions"
    build-fuzz/tests/fuzz/fuzz_$harness -runs="$runs" "$@" "$work" "$seeds" </dev/null \
      >"build-fuzz/$harness.log" 2>&1 || status=1
    # keep what the run learned, small: the inputs of the grown corpus that
    # reach features the committed ones do not (libFuzzer's merge), up to
    # MQC_FUZZ_KEEP_BYTES (2048) each, join the committed corpus
    merged=build-fuzz/merged-$harness
    rm -rf "$merged"
    cp -r "$seeds" "$merged"
    build-fuzz/tests/fuzz/fuzz_$harness -merge=1 "$@" "$merged" "$work" </dev/null \
      >>"build-fuzz/$harness.log" 2>&1 || status=1
    find "$merged" -type f -size -"$((${MQC_FUZZ_KEEP_BYTES:-2048} + 1))"c \
      -exec cp -n {} "$seeds"/ \;
  else
    echo "fuzz_$harness: $seconds s"
    # new inputs go to the scratch corpus; the committed seeds stay read-only
    build-fuzz/tests/fuzz/fuzz_$harness -max_total_time="$seconds" "$@" "$work" "$seeds" \
      </dev/null >"build-fuzz/$harness.log" 2>&1 || status=1
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|.*Test unit written)" \
    "build-fuzz/$harness.log" || true
  echo "corpus: $(ls "$seeds" | wc -l) committed inputs, $(ls "$work" | wc -l) in $work"
done
exit $status
