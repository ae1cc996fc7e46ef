#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite: lint, format check, pytest.
# Extra arguments go to pytest, e.g. scripts/test.sh -k chat
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
. .venv/bin/activate
ruff check .
ruff format --check .
python -m pytest -q "$@"
