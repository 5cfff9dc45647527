#!/usr/bin/env bash
# Creates .venv with Python 3.12 and installs the project with the given extras, once per pyproject change.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=${1:-local}
RESEMBLYZER="resemblyzer==0.1.4"  # Apache-2.0; ships pretrained.pt (17 MB) inside its wheel
python=$(scripts/find_python.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
  rm -rf .venv
  echo "==> creating .venv with $python"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$extras-$(cat pyproject.toml scripts/venv.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python dependencies ($extras)"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
  # The offline diarizer's voice encoder: only resemblyzer's weights file, run with numpy. --no-deps keeps out torch
  # (a 5.9 GB venv), librosa and webrtcvad, which its metadata asks for and local/assemblyai/voice_encoder.py never
  # imports. pyproject cannot say "without its dependencies", so it is installed here (pinned in RESEMBLYZER above).
  case ",$extras," in *,local,*|*,test,*) .venv/bin/python -m pip install --quiet --no-deps "$RESEMBLYZER" ;; esac
  rm -f .venv/.installed-"$extras"-*
  touch "$stamp"
fi
