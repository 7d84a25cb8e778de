#!/bin/sh
# Installs the servers the trigger tests start on loopback (tests/e2e/e2e_triggers.py):
# RabbitMQ (Debian), nginx (plain HTTP with ranges, for presigned-URL style reads),
# Node.js + the s3rver package (an S3-compatible server) in a local node_modules.
# Only what is missing is installed; services are never started here.
#   MQC_SERVICES_DIR  where s3rver goes (default: ~/.cache/mediaqc-services)
set -eu
PACKAGES="rabbitmq-server librabbitmq-dev libcurl4-openssl-dev nginx-light python3-pika"
command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
S3RVER_VERSION=3.7.1
dir="${MQC_SERVICES_DIR:-$HOME/.cache/mediaqc-services}"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup-services: installing$missing" >&2
  $SUDO apt-get update -qq
  # policy-rc.d: the package must not start a system-wide broker or web server;
  # the tests start their own on free ports
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    $missing >/dev/null
fi

if [ ! -x "$dir/node_modules/.bin/s3rver" ]; then
  echo "setup-services: installing s3rver $S3RVER_VERSION into $dir" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION" >/dev/null
fi
