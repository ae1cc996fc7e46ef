#!/usr/bin/env bash
# Give MLX a fast BLAS on Linux (called by setup.sh; safe to re-run). MLX's Linux CPU build
# ships a slow reference BLAS; an OpenBLAS that Sastre preloads takes over (prompts ~14x,
# LoRA steps ~11x faster). Tries, in order: Debian's libopenblas0-pthread (apt-get as root,
# or `sudo -n` when that needs no password), then pip's cmeel-openblas (usable only where
# libgfortran.so.5 is installed). Otherwise prints one line: what is slow and the command.
#   PYTHON: the venv's python (default: python)
set -uo pipefail
PY="${PYTHON:-python}"
[ "$(uname -s)" = Linux ] || exit 0
[ "${SASTRE_BLAS:-}" = reference ] && exit 0

found() { "$PY" -c 'import sys; from engine.platform import find_openblas; sys.exit(find_openblas() is None)'; }
found && exit 0
# Try installing once per venv; later runs only print the line below.
tried="${SASTRE_BLAS_STAMP:-.venv/.sastre-blas-tried}"
if [ -e "$tried" ]; then
    "$PY" -c 'from engine.platform import SLOW_BLAS_NOTE, openblas_fix; print(f"{SLOW_BLAS_NOTE} Fix: {openblas_fix()}")' >&2
    exit 0
fi
touch "$tried" 2>/dev/null || true

if command -v apt-get >/dev/null 2>&1; then
    as=()
    if [ "$(id -u)" = 0 ]; then as=(); elif sudo -n true 2>/dev/null; then as=(sudo -n); else as=(none); fi
    if [ "${as[0]:-}" != none ]; then
        echo "Installing OpenBLAS (libopenblas0-pthread) so MLX runs fast on this CPU ..."
        export DEBIAN_FRONTEND=noninteractive
        "${as[@]}" apt-get install -y -q libopenblas0-pthread >/dev/null 2>&1 \
            || { "${as[@]}" apt-get update -q >/dev/null 2>&1 \
                 && "${as[@]}" apt-get install -y -q libopenblas0-pthread >/dev/null 2>&1; }
        found && exit 0
    fi
fi
if ldconfig -p 2>/dev/null | grep -q 'libgfortran\.so\.5 '; then
    "$PY" -m pip install --quiet --disable-pip-version-check cmeel-openblas >/dev/null 2>&1
    found && exit 0
fi
"$PY" -c 'from engine.platform import SLOW_BLAS_NOTE, openblas_fix; print(f"{SLOW_BLAS_NOTE} Fix: {openblas_fix()}")' >&2
exit 0
