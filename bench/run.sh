#!/usr/bin/env bash
# GoalLedger's performance benchmark (docs/PERFORMANCE.md says what it measures and how).
#
#   bench/run.sh                              100k and 1M events, 3 runs each (7-25 minutes)
#   bench/run.sh --sizes 100000 --runs 1      a quick look
#
# Builds the release binaries, compiles the raw-SQLite yardstick
# (../shared/bench/sqlite_es_bench.c), sets up the Python eventsourcing peer
# in a venv when PyPI can be reached (NO_PYTHON=1 skips it), then measures
# everything in one run: the table goes to stdout and bench/results/latest.md,
# the figures to bench/results/latest.json, the growth plot to docs/performance-growth.svg.
# Generated ledgers live in $WORK (default /tmp/goalledger-bench), never in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
WORK=${WORK:-/tmp/goalledger-bench}
SHARED=${SHARED:-../shared/bench}

swift build -c release --scratch-path "$SCRATCH" --product goalledger
swift build -c release --scratch-path "$SCRATCH" --product goalledger-bench
BIN="$SCRATCH/release"
mkdir -p "$WORK" bench/results
gcc -O2 -Wall -o "$WORK/sqlite_es_bench" "$SHARED/sqlite_es_bench.c" -lsqlite3

PEER=()
if [ -z "${NO_PYTHON:-}" ]; then
    if [ ! -x "$WORK/esvenv/bin/python" ]; then
        { python3 -m venv "$WORK/esvenv" && "$WORK/esvenv/bin/pip" install -q eventsourcing==9.5.6; } \
            || { echo "note: no Python eventsourcing peer (venv or PyPI unavailable)" >&2; rm -rf "$WORK/esvenv"; }
    fi
    if [ -x "$WORK/esvenv/bin/python" ]; then
        PEER=(--python "$WORK/esvenv/bin/python" --es-bench "$SHARED/es_bench.py")
    fi
fi

"$BIN/goalledger-bench" run --goalledger "$BIN/goalledger" --sqlite-bench "$WORK/sqlite_es_bench" "${PEER[@]}" \
    --work "$WORK" --json bench/results/latest.json --svg docs/performance-growth.svg "$@" | tee bench/results/latest.md
