#!/usr/bin/env bash
# The whole robustness battery at on-demand sizes (CI runs a quick slice of it in pytest).
#
#   scripts/robustness.sh                 # everything, default sizes
#   scripts/robustness.sh crash 200       # one part, with its count
#   KILLS=100 CASES=10000 FILES=10000 CHUNKS=100000 scripts/robustness.sh
#
# Parts: crash (KILLS per activity: index, chat, train), fuzz (CASES over 8 formats),
# injection (the default model's obedience to hostile documents), load (FILES, CHUNKS),
# stress (the app's job traffic for SECONDS, the load run's crash in miniature).
# Figures are printed; RELIABILITY.md records them. Uses the active Python environment
# (or PYTHON=/path/to/python) and this checkout's code.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1
part="${1:-all}"
count="${2:-}"
KILLS="${KILLS:-100}" CASES="${CASES:-10000}" FILES="${FILES:-10000}" CHUNKS="${CHUNKS:-100000}"
SECONDS_STRESS="${SECONDS_STRESS:-60}"
python() { command "${PYTHON:-python}" "$@"; }
SEED="${SEED:-$RANDOM}"
echo "robustness: part=$part seed=$SEED"

run_crash() {
    SASTRE_CRASH_KILLS="${count:-$KILLS}" SASTRE_SEED="$SEED" \
        python -m pytest -q -s -p no:cacheprovider tests/robustness/test_crash.py
}
run_fuzz() {
    SASTRE_FUZZ_CASES="${count:-$CASES}" SASTRE_SEED="$SEED" \
        python -m pytest -q -s -p no:cacheprovider tests/robustness/test_fuzz.py
}
run_injection() { python -m tests.robustness.injection ${count:+--model "$count"}; }
run_load() {
    python -X faulthandler -m tests.robustness.load --files "${count:-$FILES}" --chunks "$CHUNKS"
}
run_stress() { python -X faulthandler -m tests.robustness.qt_stress --seconds "${count:-$SECONDS_STRESS}"; }

case "$part" in
    crash) run_crash ;;
    fuzz) run_fuzz ;;
    injection) run_injection ;;
    load) run_load ;;
    stress) run_stress ;;
    all) run_crash; run_fuzz; run_injection; run_load; run_stress ;;
    *) echo "unknown part '$part' (crash, fuzz, injection, load, stress, all)" >&2; exit 2 ;;
esac
