# Shared by bench/shapes.sh and bench/ab.sh (sourced, not run): the release build and the
# timing of one command. The caller sets SCRATCH, WORK and LIMIT (and DECIMALS, default 2).

# buildRelease: both release products (goalledger, goalledger-bench) in $SCRATCH.
buildRelease() {
    swift build -c release --scratch-path "$SCRATCH" --product goalledger >/dev/null
    swift build -c release --scratch-path "$SCRATCH" --product goalledger-bench >/dev/null
}

# seconds COMMAND…: wall time of a command with its output discarded, or "> LIMIT" when cut;
# its peak RSS (MB) goes to $WORK/rss.txt. Exit 3 (no such entity at that time) is an answer too.
seconds() {
    local start end status=0
    start=$(date +%s.%N)
    timeout "$LIMIT" /usr/bin/time -o "$WORK/rss.txt" -f "%M" "$@" >/dev/null 2>"$WORK/err.txt" || status=$?
    end=$(date +%s.%N)
    if [ "$status" -eq 124 ]; then echo "> $LIMIT"; return; fi
    if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
        echo "error: $* exited $status: $(head -c 300 "$WORK/err.txt")" >&2
        exit 1
    fi
    awk -v s="$start" -v e="$end" -v d="${DECIMALS:-2}" 'BEGIN { printf "%.*f", d, e - s }'
}

rss() {  # the peak RSS of the last `seconds` command, in MB
    awk '{ printf "%.0f", $1 / 1024 }' "$WORK/rss.txt" 2>/dev/null || echo "?"
}

# generateShape SHAPE FILE: writes N events of the shape to FILE with the release goalledger-bench,
# and sets `summary` (its first line) and `longest` (the id of its longest stream).
generateShape() {
    summary=$("$SCRATCH/release/goalledger-bench" generate "$N" "$2" --shape "$1" | head -1)
    longest=$(echo "$summary" | sed 's/.*longest \([^ ]*\) (\([0-9]*\) events).*/\1/')
}
