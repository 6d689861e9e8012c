#!/usr/bin/env bash
# Installs the Debian packages the harness's tiers need, skipping what is installed already:
#   - the Kamailio eP-CSCF (sut/kamailio/packages.txt), for the process tier;
#   - docker.io and debootstrap, for the container tier (.ci/start-dockerd.sh, .ci/build-kamailio-image.sh);
#   - sip-tester (SIPp) and tshark, for peer tools and trace decoding;
#   - chromium, for the browser WICs (playwright-core drives it; no browser is downloaded at run time);
#   - faketime, for the run with the clock 400 days ahead (certificate lifecycle, issue 10).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packages=(docker.io debootstrap sip-tester tshark chromium faketime)
while read -r line; do
  line="${line%%#*}"
  line="${line//[[:space:]]/}"
  [ -n "$line" ] && packages+=("$line")
done < sut/kamailio/packages.txt

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-debian-packages: all ${#packages[@]} packages installed" >&2
  exit 0
fi
echo "install-debian-packages: installing ${missing[*]}" >&2
# tshark asks whether non-root users may capture; answer no, without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -q --no-install-recommends "${missing[@]}"
