#!/usr/bin/env bash
# Issue 12: the same build on ledgers of four shapes, beside raw SQLite in the same run.
#
#   bench/shapes.sh                       100k events of each shape (about 6 minutes; long waits are cut at 120 s)
#   N=1000000 bench/shapes.sh             1M events of each shape (about 20 minutes)
#   N=20000 bench/shapes.sh               a quick look
#   LIMIT=60 bench/shapes.sh              cut any command after 60 s
#   SHAPES="shuffled long" bench/shapes.sh   only some of the shapes
#   BEFORE=/path/to/goalledger bench/shapes.sh   also time import, export, replay, verify, history
#                                         and audit (first row, whole, peak RSS) with another build on the
#                                         same files, in the same run
#
# Shapes (goalledger-bench generate --shape): national (the benchmark's own), wide (many short
# streams, no ids), shuffled (national, each stream's measurements in random effective order),
# long (a few streams of 33k-100k readings in random order). For each: import, replay, verify,
# export, `history --json`, `show --as-of` and `diff` of the shape's longest stream, and `audit
# --json` with no filter (its first row and the whole), as events/s or seconds, with the peak RSS
# of import, replay, verify, export and audit; and raw SQLite's one-transaction insert of N events
# (sqlite_es_bench, 1,000-event streams) in the same run, as the yardstick for import.
# A command that runs past LIMIT seconds is stopped and reported as "> LIMIT s".
# Writes bench/results/shapes.md; the ledgers live in $WORK, never in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-release}
WORK=${WORK:-/tmp/goalledger-bench/shapes}
SHARED=${SHARED:-../shared/bench}
N=${N:-100000}
LIMIT=${LIMIT:-120}
OUT=${OUT:-bench/results/shapes.md}

source bench/common.sh
buildRelease
BIN="$SCRATCH/release"
mkdir -p "$WORK" "$(dirname "$OUT")"
gcc -O2 -Wall -o "$WORK/sqlite_es_bench" "$SHARED/sqlite_es_bench.c" -lsqlite3

# firstRow COMMAND…: seconds until the command's first row reaches a reader: its first two bytes
# (`[{` of `audit --json`, which prints one JSON array on one line). Timed when the reader has
# them, not when the pipeline ends: the command only stops at its next write after that.
firstRow() {
    local start
    start=$(date +%s.%N)
    (timeout "$LIMIT" "$@" 2>/dev/null || true) | { head -c 2 >/dev/null; date +%s.%N > "$WORK/first.txt"; }
    awk -v s="$start" -v e="$(cat "$WORK/first.txt")" 'BEGIN { printf "%.2f", e - s }'
}

rate() {  # rate SECONDS → events/s, or the cut mark as it is
    case "$1" in
        ">"*) echo "< $(awk -v n="$N" -v l="$LIMIT" 'BEGIN { printf "%.0f", n / l }')" ;;
        *) awk -v n="$N" -v s="$1" 'BEGIN { printf "%.0f", n / s }' ;;
    esac
}

rm -rf "$WORK/raw" && mkdir -p "$WORK/raw"
"$WORK/sqlite_es_bench" all "$WORK/raw" rr "$N" "$(( N / 1000 > 0 ? N / 1000 : 1 ))" 1000 2000 1000 > "$WORK/raw.jsonl"
RAW=$(grep '"append_one_txn"' "$WORK/raw.jsonl" | head -1 | sed 's/.*"events_per_s": *\([0-9.]*\).*/\1/')

{
    echo "## The same build on four ledger shapes, $N events each"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), release build of $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start."
    echo "Raw SQLite one-transaction insert of $N events in the same run: $(printf '%.0f' "$RAW") events/s."
    echo "Commands are cut at $LIMIT s (\"> $LIMIT\")."
    echo
    echo "| shape | streams | longest stream | import ev/s (÷ raw) | replay ev/s | verify ev/s | export ev/s | history of longest (s) | show --as-of (s) | diff (s) | audit first row (s) | audit --json (s) | peak RSS import/replay/verify/export/audit (MB) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} > "$OUT"
BEFORE_ROWS=""

for shape in ${SHAPES:-national wide shuffled long}; do
    file="$WORK/$shape-$N.ndjson"
    db="$WORK/$shape-$N.sqlite"
    echo "shape $shape: generating" >&2
    generateShape "$shape" "$file"
    streams=$(echo "$summary" | sed 's/.* \([0-9]*\) streams.*/\1/')
    longestEvents=$(echo "$summary" | sed 's/.*longest \([^ ]*\) (\([0-9]*\) events).*/\2/')
    rm -f "$db" "$db-wal" "$db-shm"
    echo "shape $shape: import, replay, verify, export, history, show, audit" >&2
    import=$(seconds "$BIN/goalledger" import "$file" --quiet --db "$db"); importRSS=$(rss)
    replay=$(seconds "$BIN/goalledger" replay --db "$db"); replayRSS=$(rss)
    verify=$(seconds "$BIN/goalledger" verify --db "$db"); verifyRSS=$(rss)
    export=$(seconds "$BIN/goalledger" export --db "$db"); exportRSS=$(rss)
    history=$(seconds "$BIN/goalledger" history "$longest" --json --db "$db")
    show=$(seconds "$BIN/goalledger" show "$longest" --as-of 2016-06-30 --json --db "$db")
    diff=$(seconds "$BIN/goalledger" diff "$longest" --from 2016-06-30 --to 2024-06-30 --json --db "$db")
    first=$(firstRow "$BIN/goalledger" audit --json --db "$db")
    audit=$(seconds "$BIN/goalledger" audit --json --db "$db"); auditRSS=$(rss)
    importRate=$(rate "$import")
    ratio=$(case "$importRate" in "<"*) echo "—" ;; *) awk -v a="$importRate" -v r="$RAW" 'BEGIN { printf "%.2f×", a / r }' ;; esac)
    echo "| $shape | $streams | $longestEvents | $importRate ($ratio) | $(rate "$replay") | $(rate "$verify") | $(rate "$export") | $history | $show | $diff | $first | $audit | $importRSS/$replayRSS/$verifyRSS/$exportRSS/$auditRSS |" >> "$OUT"
    if [ -n "${BEFORE:-}" ]; then
        # The other build on the same file, right after: its replay rewrites the projections as it would have.
        echo "shape $shape: the same commands with $BEFORE" >&2
        rm -f "$db.before" "$db.before-wal" "$db.before-shm"
        bImport=$(seconds "$BEFORE" import "$file" --quiet --db "$db.before")
        rm -f "$db.before" "$db.before-wal" "$db.before-shm"
        bExport=$(seconds "$BEFORE" export --db "$db")
        bReplay=$(seconds "$BEFORE" replay --db "$db")
        bVerify=$(seconds "$BEFORE" verify --db "$db")
        bHistory=$(seconds "$BEFORE" history "$longest" --json --db "$db")
        bFirst=$(firstRow "$BEFORE" audit --json --db "$db")
        bAudit=$(seconds "$BEFORE" audit --json --db "$db"); bAuditRSS=$(rss)
        BEFORE_ROWS="$BEFORE_ROWS| $shape | $(rate "$bImport") | $(rate "$bReplay") | $(rate "$bVerify") | $(rate "$bExport") | $bHistory | $bFirst | $bAudit | $bAuditRSS |
"
    fi
done
if [ -n "${BEFORE:-}" ]; then
    {
        echo
        echo "The build given as BEFORE ($BEFORE), on the same files in the same run:"
        echo
        echo "| shape | import ev/s | replay ev/s | verify ev/s | export ev/s | history of longest (s) | audit first row (s) | audit --json (s) | audit peak RSS (MB) |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf "%s" "$BEFORE_ROWS"
    } >> "$OUT"
fi
cat "$OUT"
