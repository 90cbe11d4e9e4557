#!/usr/bin/env bash
# SPEC §10 figures on the synthetic national ledger (docs/PROOFS.md):
#
#   bench/proofs.sh                 N = 1,000,000, S = 100,000 (about 10 minutes after the release build)
#   N=100000 S=20000 bench/proofs.sh        a quick look
#   BASE=old/goalledger bench/proofs.sh      also time an earlier binary on the same file
#
# Imports N - 1,000 events, signs a checkpoint, imports the last 1,000 and
# times the checkpoint that follows (target ≤ 1 s), `prove` (median of 21,
# target ≤ 20 ms), the proof's size (≤ 2 KB) and `verify-proof`; prints the
# import and verify rates of the same run for comparison with bench/run.sh;
# then S events imported unsigned and signed, and verified, as ratios.
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
INPUT="$WORK/ledger-$N.ndjson"  # the same file bench/run.sh generates (deterministic)
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
start=$(now)
"$BIN/goalledger" verify >/dev/null
verify_seconds=$(elapsed "$start" "$(now)")
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

# The same import and verify with the binary of an earlier commit, when BASE
# names one (e.g. BASE=/path/to/old/goalledger): what the Merkle tree costs.
if [ -n "${BASE:-}" ]; then
    base_db="$WORK/proofs-base.sqlite"
    rm -f "$base_db" "$base_db-wal" "$base_db-shm"
    start=$(now)
    GOALLEDGER_DB="$base_db" "$BASE" import "$WORK/proofs-first.ndjson" --quiet
    base_import_seconds=$(elapsed "$start" "$(now)")
    start=$(now)
    GOALLEDGER_DB="$base_db" "$BASE" verify >/dev/null
    base_verify_seconds=$(elapsed "$start" "$(now)")
    rm -f "$base_db" "$base_db-wal" "$base_db-shm"
fi

# Signed against unsigned: the first S events after the first municipality's ten
# actors, imported once unsigned and once signed by its mayor's registered key;
# then verify of each.
S=${S:-100000}
head -n 10 "$INPUT" > "$WORK/proofs-actors.ndjson"
sed -n "11,$((S + 10))p" "$INPUT" > "$WORK/proofs-sample.ndjson"
MAYOR=$(grep -o '"stream":"[a-z0-9-]*/borgmester"' "$WORK/proofs-actors.ndjson" | head -1 | cut -d'"' -f4)
for kind in unsigned signed; do
    db="$WORK/proofs-$kind.sqlite"
    rm -f "$db" "$db-wal" "$db-shm" "$WORK/proofs-mayor.key"
    GOALLEDGER_DB="$db" "$BIN/goalledger" import "$WORK/proofs-actors.ndjson" --quiet
    sign=()
    if [ "$kind" = signed ]; then
        mayor_vkey=$("$BIN/goalledger" keygen "$MAYOR" --out "$WORK/proofs-mayor.key")
        GOALLEDGER_DB="$db" "$BIN/goalledger" append --stream "$MAYOR" --type KeyRegistered --effective 2006-01-02 \
            --actor "${MAYOR%/borgmester}/kb" --id bench-key --data "{\"key\":\"$mayor_vkey\"}" \
            --sign "$WORK/proofs-mayor.key" >/dev/null
        sign=(--sign "$WORK/proofs-mayor.key")
    fi
    start=$(now)
    GOALLEDGER_DB="$db" "$BIN/goalledger" import "$WORK/proofs-sample.ndjson" --quiet "${sign[@]}"
    eval "import_$kind=$(elapsed "$start" "$(now)")"
    start=$(now)
    GOALLEDGER_DB="$db" "$BIN/goalledger" verify >/dev/null
    eval "verify_$kind=$(elapsed "$start" "$(now)")"
done

echo "N = $N events, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "import of $((N - 1000)) events: ${import_seconds} s ($(echo "($N - 1000) / $import_seconds" | bc) events/s)"
echo "checkpoint after 1,000 new events: ${checkpoint_seconds} s (target ≤ 1 s)"
echo "prove, median of 21 positions (whole command): ${prove_median} s (target ≤ 0.020 s)"
echo "proof size: min $(echo "$sizes" | head -1) B, max $(echo "$sizes" | tail -1) B (target ≤ 2048 B)"
echo "verify-proof (whole command): ${verify_proof_seconds} s"
echo "verify of $((N - 1000)) events: ${verify_seconds} s ($(echo "($N - 1000) / $verify_seconds" | bc) events/s)"
if [ -n "${BASE:-}" ]; then
    echo "BASE import of $((N - 1000)) events: ${base_import_seconds} s;" \
        "this/base time = $(echo "scale=2; $import_seconds / $base_import_seconds" | bc)"
    echo "BASE verify of $((N - 1000)) events: ${base_verify_seconds} s;" \
        "this/base time = $(echo "scale=2; $verify_seconds / $base_verify_seconds" | bc)"
fi
echo "import of $S events: unsigned ${import_unsigned} s, signed by one key ${import_signed} s;" \
    "signed rate / unsigned rate = $(echo "scale=2; $import_unsigned / $import_signed" | bc) (target ≥ 0.5)"
echo "verify of $S events: unsigned ${verify_unsigned} s, all signed ${verify_signed} s;" \
    "signed time / unsigned time = $(echo "scale=2; $verify_signed / $verify_unsigned" | bc) (target ≤ 1.5)"
