#!/usr/bin/env bash
# SPEC §10 figures on the synthetic national ledger (docs/PROOFS.md):
#
#   bench/proofs.sh                 N = 1,000,000 (about 10 minutes after the release build)
#   N=100000 bench/proofs.sh        a quick look
#
# Imports N - 1,000 events, signs a checkpoint, imports the last 1,000 and
# times the checkpoint that follows (target ≤ 1 s), `prove` (median of 21,
# target ≤ 20 ms), the proof's size (≤ 2 KB) and `verify-proof`; prints the
# import and verify rates of the same run for comparison with bench/run.sh.
# Ledgers live in $WORK (default /tmp/goalledger-bench), never in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
SCRATCH=${SCRATCH:-.build}
WORK=${WORK:-/tmp/goalledger-bench}
swift build -c release --scratch-path "$SCRATCH" --product goalledger >&2
swift build -c release --scratch-path "$SCRATCH" --product goalledger-bench >&2
BIN="$SCRATCH/release"
mkdir -p "$WORK"
INPUT="$WORK/proofs-$N.ndjson"
[ -s "$INPUT" ] || "$BIN/goalledger-bench" generate "$N" "$INPUT" >/dev/null
head -n $((N - 1000)) "$INPUT" > "$WORK/proofs-first.ndjson"
tail -n 1000 "$INPUT" > "$WORK/proofs-last.ndjson"
DB="$WORK/proofs-$N.sqlite"
rm -f "$DB" "$DB-wal" "$DB-shm" "$WORK/proofs-log.key"
export GOALLEDGER_DB="$DB" GOALLEDGER_USER=bench

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

start=$(now)
"$BIN/goalledger" import "$WORK/proofs-first.ndjson" --quiet
import_seconds=$(elapsed "$start" "$(now)")
VKEY=$("$BIN/goalledger" keygen goalledger.example/bench --out "$WORK/proofs-log.key")
"$BIN/goalledger" checkpoint --key "$WORK/proofs-log.key" >/dev/null
"$BIN/goalledger" import "$WORK/proofs-last.ndjson" --quiet
start=$(now)
"$BIN/goalledger" checkpoint --key "$WORK/proofs-log.key" > "$WORK/proofs-checkpoint.txt"
checkpoint_seconds=$(elapsed "$start" "$(now)")

times=()
for k in $(seq 0 20); do
    position=$(( (k * 47351 % N) + 1 ))
    start=$(now)
    "$BIN/goalledger" prove "$position" > "$WORK/proofs-$k.tlog-proof"
    times+=("$(elapsed "$start" "$(now)")")
done
prove_median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 11p)
sizes=$(for k in $(seq 0 20); do wc -c < "$WORK/proofs-$k.tlog-proof"; done | sort -n)
start=$(now)
"$BIN/goalledger" verify-proof "$WORK/proofs-0.tlog-proof" --vkey "$VKEY" >/dev/null
verify_proof_seconds=$(elapsed "$start" "$(now)")
start=$(now)
"$BIN/goalledger" verify >/dev/null
verify_seconds=$(elapsed "$start" "$(now)")

echo "N = $N events, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "import of $((N - 1000)) events: ${import_seconds} s ($(echo "($N - 1000) / $import_seconds" | bc) events/s)"
echo "checkpoint after 1,000 new events: ${checkpoint_seconds} s (target ≤ 1 s)"
echo "prove, median of 21 positions (whole command): ${prove_median} s (target ≤ 0.020 s)"
echo "proof size: min $(echo "$sizes" | head -1) B, max $(echo "$sizes" | tail -1) B (target ≤ 2048 B)"
echo "verify-proof (whole command): ${verify_proof_seconds} s"
echo "verify of $N events: ${verify_seconds} s ($(echo "$N / $verify_seconds" | bc) events/s)"
