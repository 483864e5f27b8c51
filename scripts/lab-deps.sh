#!/bin/sh
# Install the Debian packages the simulated WAN lab (tests/lab/) needs. Idempotent: packages that
# are already installed are left alone. Run as root (CI does this once per job).
set -eu

# systemd: systemd-analyze verifies the nightly units; systemd-container: systemd-nspawn boots the playbook
# round trip's and the scanning host's lab hosts; dpkg-dev and apt-utils build the lab's local Debian repository.
PKGS="debootstrap debian-archive-keyring openssh-client openssh-server iproute2 util-linux mount procps systemd systemd-container dpkg-dev apt-utils"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "lab-deps: all present ($PKGS)"
    exit 0
fi

# Installing openssh-server must not start a service on the machine running the tests.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
echo "lab-deps: installed$missing"
