#!/usr/bin/env bash
# Set up (first time only) and start Sastre. Arguments go to `sastre`, e.g.
#   scripts/run.sh                 the desktop app (or the terminal chat without a display)
#   scripts/run.sh chat "Hello"    any CLI command
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Convert the embedded model now (once per machine) so the first answer is quick.
.venv/bin/sastre models prepare >/dev/null
exec .venv/bin/sastre "$@"
