#!/usr/bin/env bash
# The Debian packages the tests use (browser, speech synthesis, shell linting, zips), installed when missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
# Festival's Russian voice: Russian speech Whisper hears as Russian (espeak-ng's it hears as Latin)
command -v text2wave >/dev/null 2>&1 || need+=(festival)
[ -d /usr/share/festival/voices/russian ] || need+=(festvox-ru)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${need[*]})." >&2
  exit 1
fi
echo "==> installing system packages: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
