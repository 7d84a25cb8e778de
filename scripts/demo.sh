#!/bin/sh
# Sets up, builds, generates sample masters and runs a real QC pass on them.
set -eu
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
mkdir -p demo
build/tests/media/mqc-gen-media demo/media >/dev/null

echo "== a 10-bit ProRes 422 HQ master with planted defects"
status=0
build/mediaqc check demo/media/prores_10bit_422.mov -o demo/report.json \
  --html demo/report.html || status=$?
echo "   exit code $status (1 = fail); reports: demo/report.json, demo/report.html"
echo "== its clean twin"
status=0
build/mediaqc check demo/media/prores_10bit_422_clean.mov -o demo/report-clean.json \
  --html demo/report-clean.html || status=$?
echo "   exit code $status (0 = pass); reports: demo/report-clean.json, demo/report-clean.html"
