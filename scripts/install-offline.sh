#!/usr/bin/env bash
# Install Prakan from a wheelhouse built by scripts/build-wheelhouse.sh, with no network at all:
#   install-offline.sh [WHEELHOUSE] [VENV]
# WHEELHOUSE defaults to this script's directory (the copy inside the wheelhouse), VENV to /opt/prakan/venv.
# pip never looks at an index (--no-index, configuration and PIP_* variables ignored); the Ansible
# collections go into the venv's own site-packages, where ansible finds them.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WHEELHOUSE=$(cd "${1:-$HERE}" && pwd)
VENV=${2:-/opt/prakan/venv}
PYTHON=${PYTHON:-python3}

if [ ! -f "$WHEELHOUSE/SHA256SUMS" ] || ! ls "$WHEELHOUSE"/prakan-*.whl >/dev/null 2>&1; then
  echo "$WHEELHOUSE is not a Prakan wheelhouse (no SHA256SUMS or prakan wheel)" >&2
  exit 3
fi
if ! (cd "$WHEELHOUSE" && sha256sum --quiet --strict -c SHA256SUMS); then
  echo "$WHEELHOUSE: SHA256SUMS does not match: the wheelhouse was altered or copied incompletely" >&2
  exit 2
fi
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Prakan needs Python >= 3.11 ($PYTHON is $("$PYTHON" -V 2>&1))" >&2
  exit 3
fi

# Nothing from the environment may point pip anywhere else.
offline_pip() {
  env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 \
    "$VENV/bin/python" -m pip "$@" --no-index --find-links "$WHEELHOUSE" --disable-pip-version-check
}

if [ ! -x "$VENV/bin/python" ]; then
  if "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    "$PYTHON" -m venv "$VENV"
  else  # Debian without python3-venv: a venv without pip, then pip from the wheelhouse
    "$PYTHON" -m venv --without-pip "$VENV"
  fi
fi
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  pip_wheel=$(ls "$WHEELHOUSE"/pip-*.whl 2>/dev/null | tail -n 1)
  [ -n "$pip_wheel" ] || { echo "$VENV has no pip and the wheelhouse has no pip wheel" >&2; exit 2; }
  env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 \
    "$VENV/bin/python" "$pip_wheel/pip" install -q --no-index --find-links "$WHEELHOUSE" "$pip_wheel"
fi
prakan_wheel=$(ls "$WHEELHOUSE"/prakan-*.whl | tail -n 1)
extras=()
for w in "$WHEELHOUSE"/ansible_pylibssh-*.whl; do
  [ -e "$w" ] && extras+=("ansible-pylibssh")
done
offline_pip install -q -c "$WHEELHOUSE/constraints.txt" "$prakan_wheel" "${extras[@]}"

site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
shopt -s nullglob
tarballs=("$WHEELHOUSE"/collections/*.tar.gz)
if [ ${#tarballs[@]} -gt 0 ]; then
  ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 "$VENV/bin/ansible-galaxy" collection install --offline --force \
    -p "$site" "${tarballs[@]}" >/dev/null 2> >(grep -v -e 'appears to be part of the pip Ansible package' \
      -e 'Install collections to a configured collections path' >&2)
fi
echo "installed $("$VENV/bin/prakan" --version) into $VENV ($(ls "$site"/ansible_collections 2>/dev/null | wc -l) collection namespaces)"
