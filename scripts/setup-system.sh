#!/usr/bin/env bash
# System packages the tests and the demo use, installed only when missing (Debian/Ubuntu).
#   gcc                          : builds the 1:N code scan (device/recognition/native)
#   mosquitto, mosquitto-clients : brokers the sync tests start and kill themselves
#   fonts-noto-cjk               : Chinese names on the touchscreen
#   chromium, chromium-driver    : the web admin's browser tests
#   libgl1, libglib2.0-0, libxkbcommon-x11-0, libdbus-1-3 : Qt and OpenCV runtime libraries
set -euo pipefail
packages=(gcc mosquitto mosquitto-clients fonts-noto-cjk chromium chromium-driver
          libgl1 libglib2.0-0 libxkbcommon-x11-0 libdbus-1-3 libfontconfig1)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "setup: please install: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
