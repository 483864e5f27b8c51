#!/bin/sh
# Install the Debian packages the report tests need: Debian's own Chromium (the browser the tests drive
# through Playwright's `executable_path`; Playwright's browser downloads are never used) and poppler-utils
# (pdftotext / pdfinfo for the PDF print test), and DejaVu for monospace text. Idempotent.
# Run as root (scripts/test.sh does, in CI).
set -eu

PKGS="chromium poppler-utils fonts-dejavu-core"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "report-deps: all present ($PKGS)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
echo "report-deps: installed$missing"
