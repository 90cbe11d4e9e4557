#!/usr/bin/env bash
# Two builds side by side on the same ledgers (issue 13: a refactor stays within 5 % of the
# build before it). Each command runs ROUNDS times, the two builds alternating (the first to
# run swaps every round, so drift of the machine falls on both); the median seconds of each
# build and their ratio (after ÷ before: below 1 is faster) are reported.
#
#   BEFORE=/path/to/other/goalledger bench/ab.sh          100k events of each shape, 5 rounds
#   N=20000 ROUNDS=3 SHAPES="national long" BEFORE=… bench/ab.sh
#
# The ledgers are made by `goalledger-bench generate --shape` (see bench/shapes.sh) and live in
# $WORK, never in the repository. Writes bench/results/ab.md.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BEFORE:?set BEFORE to the goalledger binary of the build to compare with}"
SCRATCH=${SCRATCH:-.build-release}
WORK=${WORK:-/tmp/goalledger-bench/ab}
N=${N:-100000}
ROUNDS=${ROUNDS:-5}
OUT=${OUT:-bench/results/ab.md}

LIMIT=${LIMIT:-600}
DECIMALS=3
source bench/common.sh
buildRelease
AFTER="$SCRATCH/release/goalledger"
mkdir -p "$WORK" "$(dirname "$OUT")"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

binaryOf() {  # binaryOf BEFORE|AFTER → that build's goalledger
    if [ "$1" = AFTER ]; then echo "$AFTER"; else echo "$BEFORE"; fi
}

# timeBoth NAME COMMAND-ARGS…: runs `goalledger ARGS` of both builds ROUNDS times; `{db}` in ARGS
# is the ledger that build imported (each build reads files it wrote: an older build need not
# accept a newer one's snapshots), and for import a fresh file each time.
timeBoth() {
    local name=$1
    shift
    local before=() after=()
    for round in $(seq "$ROUNDS"); do
        for build in $( [ $((round % 2)) -eq 1 ] && echo "BEFORE AFTER" || echo "AFTER BEFORE"); do
            local bin
            bin=$(binaryOf "$build")
            local target=$db-$build.sqlite
            if [ "$name" = import ]; then
                target="$WORK/import.sqlite"
                rm -f "$target" "$target-wal" "$target-shm"
            fi
            local args=("${@//\{db\}/$target}")
            local took
            took=$(seconds "$bin" "${args[@]}")
            if [ "$build" = AFTER ]; then after+=("$took"); else before+=("$took"); fi
        done
    done
    local b a
    b=$(printf '%s\n' "${before[@]}" | median)
    a=$(printf '%s\n' "${after[@]}" | median)
    echo "| $shape | $name | $b | $a | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }') |" >> "$OUT"
}

{
    echo "## Two builds on the same ledgers, $N events of each shape"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start."
    echo "Before: $BEFORE. After: release build of $(git rev-parse --short HEAD)."
    echo "Median of $ROUNDS runs each, the builds alternating; ratio = after ÷ before (below 1: faster)."
    echo
    echo "| shape | command | before (s) | after (s) | ratio |"
    echo "|---|---|---:|---:|---:|"
} > "$OUT"

for shape in ${SHAPES:-national wide shuffled long}; do
    file="$WORK/$shape-$N.ndjson"
    db="$WORK/$shape-$N"
    echo "shape $shape" >&2
    generateShape "$shape" "$file"
    for build in BEFORE AFTER; do
        rm -f "$db-$build.sqlite" "$db-$build.sqlite-wal" "$db-$build.sqlite-shm"
        "$(binaryOf "$build")" import "$file" --quiet --db "$db-$build.sqlite"
    done
    timeBoth import import "$file" --quiet --db {db}
    timeBoth replay replay --db {db}
    timeBoth verify verify --db {db}
    timeBoth export export --db {db}
    timeBoth "history --json" history "$longest" --json --db {db}
    timeBoth "show --as-of" show "$longest" --as-of 2016-06-30 --json --db {db}
    timeBoth "audit --json" audit --json --db {db}
done
cat "$OUT"
