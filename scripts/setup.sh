#!/usr/bin/env bash
# Set up Prakan's Python environment in .venv (idempotent).
#   scripts/setup.sh          the scanner only
#   scripts/setup.sh dev      plus tests, linters and the simulated-WAN lab (Ansible collections, fakenos)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
extras=""
[ "${1:-}" = "dev" ] && extras="[dev,lab]"

if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Prakan needs Python >= 3.11 ($PYTHON is $("$PYTHON" -V 2>&1))" >&2
  exit 2
fi
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    echo "Python's venv module is missing: install python3-venv" >&2
    exit 2
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# Every package is pinned: pyproject.toml pins direct dependencies, the constraints file the rest.
.venv/bin/python -m pip install -q -c requirements/constraints.txt -e ".${extras}"
