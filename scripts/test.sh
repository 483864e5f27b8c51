#!/usr/bin/env bash
# Quick start, tests: set up everything the tests need (as root: the lab's Debian packages), then run them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && [ -f scripts/lab-deps.sh ]; then
  bash scripts/lab-deps.sh
fi
if [ "$(id -u)" = 0 ] && [ -f scripts/report-deps.sh ]; then
  sh scripts/report-deps.sh   # chromium + poppler-utils for the report's browser and PDF tests
fi
bash scripts/setup.sh dev
[ -f scripts/fetch-real-configs.sh ] && bash scripts/fetch-real-configs.sh
PY_DIRS="scanner tests tools bench playbooks/filter_plugins playbooks/action_plugins"
# shellcheck disable=SC2086
.venv/bin/ruff check $PY_DIRS
# shellcheck disable=SC2086
.venv/bin/ruff format --check $PY_DIRS
.venv/bin/mypy   # configuration in pyproject.toml
.venv/bin/yamllint -s -c playbooks/.yamllint playbooks/
.venv/bin/ansible-lint -q --profile production --offline playbooks/
.venv/bin/prakan checks test
.venv/bin/prakan lint inventory/
.venv/bin/python -m pytest -q -ra "$@"
