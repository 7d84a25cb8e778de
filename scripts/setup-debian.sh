#!/bin/sh
# Installs the Debian 12 packages mediaqc needs, only those that are missing.
set -eu
PACKAGES="build-essential cmake pkg-config
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libebur128-dev
  libopencolorio-dev libpng-dev libcjson-dev libcriterion-dev
  libxxhash-dev xxhash libxml2-dev zlib1g-dev ffmpeg python3 librabbitmq-dev libcurl4-openssl-dev
  python3-jsonschema dpkg-dev file"   # jsonschema: e2e reports vs schemas/; dpkg-dev, file: cpack -G DEB; xxhash: xxhsum for e2e_checksum

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "setup: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
