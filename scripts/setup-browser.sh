#!/bin/sh
# Installs what the report tests (tests/e2e/e2e_reports.py) need: Debian's
# chromium (driven headless, no network), xmllint (JUnit schema check), and
# playwright-core from npm into a local directory (it downloads no browser:
# the test points it at /usr/bin/chromium).
#   MQC_BROWSER_DIR  where playwright-core goes (default ~/.cache/mediaqc/browser)
set -eu
DIR="${MQC_BROWSER_DIR:-${HOME:-/root}/.cache/mediaqc/browser}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=""
for p in chromium nodejs libxml2-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
  echo "setup-browser: installing$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    $missing >/dev/null
fi

if [ ! -f "$DIR/node_modules/playwright-core/package.json" ]; then
  echo "setup-browser: npm install playwright-core into $DIR" >&2
  mkdir -p "$DIR"
  # playwright-core never downloads a browser; say so anyway
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$DIR" --no-audit --no-fund \
    --loglevel=error playwright-core@1.65.1 >/dev/null
fi
echo "$DIR"
