#!/usr/bin/env bash
# Usage: fuzz/run.sh [SECONDS]          (default 60)
#
# Builds the libFuzzer target FuzzEventInput (GoalLedgerCore's line parser and
# validator, see Sources/EventInputHarness/Harness.swift) with
# `-sanitize=fuzzer,address` in release mode, in its own fuzz/.build, and runs
# it for SECONDS seconds from a seed corpus made of every line of events/*.ndjson,
# every hostile fixture (Tests/GoalLedgerTests/Fixtures/hostile) and fuzz/seeds/.
#
# The working corpus grows in fuzz/corpus/ across runs; crashing inputs land in
# fuzz/crashes/. The run keeps going after a crash (libFuzzer's fork mode) so one
# run finds every crash it can. Prints a summary line and exits 1 if anything
# crashed. Environment: FUZZ_SANITIZERS (default fuzzer,address; `fuzzer` alone
# runs about twice as fast), FUZZ_JOBS (parallel fuzzing processes, default 1).
set -euo pipefail
DURATION=${1:-60}
case $DURATION in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 64 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$HERE"
SAN=${FUZZ_SANITIZERS:-fuzzer,address}
JOBS=${FUZZ_JOBS:-1}

echo "building FuzzEventInput (-sanitize=$SAN) in fuzz/.build" >&2
swift build -c release --scratch-path "$HERE/.build" --product FuzzEventInput \
    -Xswiftc "-sanitize=$SAN" >&2
BIN=$(swift build -c release --scratch-path "$HERE/.build" --show-bin-path)/FuzzEventInput

# Seeds: one file per line of the seed ledgers, each hostile fixture as it is, fuzz/seeds/*.
rm -rf .seeds
mkdir -p .seeds corpus crashes
n=0
for f in "$ROOT"/events/*.ndjson; do
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        printf '%s\n' "$line" >".seeds/event-$n.ndjson"
    done <"$f"
done
cp "$ROOT"/Tests/GoalLedgerTests/Fixtures/hostile/*.ndjson .seeds/
cp seeds/* .seeds/ 2>/dev/null || true
echo "seed corpus: $(ls .seeds | wc -l) inputs; working corpus: $(ls corpus | wc -l) inputs" >&2

before=$(ls crashes | wc -l)
LOG=$HERE/.build/last-run.log
set +e
# Swift's runtime keeps metadata caches for the life of the process; LeakSanitizer
# would report them as leaks in every run, so leak detection is off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
nice -n 10 "$BIN" corpus .seeds \
    -detect_leaks=0 -dict=event.dict -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
    -max_total_time="$DURATION" -print_final_stats=1 \
    -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="$HERE/crashes/" 2>&1 | tee "$LOG" >&2
set -e
after=$(ls crashes | wc -l)

last=$(grep -E '^#[0-9]+: ' "$LOG" | tail -n 1)
runs=$(echo "$last" | grep -Eo '^#[0-9]+' | tr -d '#')
took=$(echo "$last" | grep -Eo 'time: [0-9]+s' | grep -Eo '[0-9]+')
found=$((after - before))
echo "fuzzed ${took:-0} s: ${runs:-0} executions, corpus $(ls corpus | wc -l) inputs, $found new crashing inputs in fuzz/crashes/" >&2
if [ "$found" -gt 0 ]; then
    ls -t crashes | head -n "$found" | sed 's/^/  fuzz\/crashes\//' >&2
    exit 1
fi
