#!/usr/bin/env bash
# Regenerates the golden state documents in snapshots/ from events/, on purpose.
# Tests never write these files: they rebuild the same moments and compare bytes.
#
#   snapshots/regenerate.sh            (builds goalledger first)
#
# Each row of snapshots/moments.tsv is: FILE <TAB> goalledger arguments.
# The ledger is built with a fixed clock and user, exactly as the test does,
# so `recorded` and `recordedBy` in the documents are stable.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product goalledger >/dev/null
bin="$(swift build --show-bin-path)/goalledger"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export GOALLEDGER_CLOCK=2026-11-22T09:00:00Z GOALLEDGER_USER=goalledger-seed
"$bin" import events/*.ndjson --db "$tmp/seed.sqlite" --quiet
while IFS=$'\t' read -r file args; do
    [[ -z "$file" || "$file" == \#* ]] && continue
    # shellcheck disable=SC2086
    "$bin" $args --db "$tmp/seed.sqlite" > "snapshots/$file"
    echo "wrote snapshots/$file"
done < snapshots/moments.tsv

# The web pages (snapshots/web/pages.tsv), from the seed ledgers plus the web test fixture.
"$bin" import events/*.ndjson Tests/GoalLedgerTests/Fixtures/web/revisions.ndjson --db "$tmp/web.sqlite" --quiet
while IFS=$'\t' read -r file options page; do
    [[ -z "$file" || "$file" == \#* ]] && continue
    site="$tmp/site-${options// /_}"
    # shellcheck disable=SC2086
    [ -d "$site" ] || "$bin" site --db "$tmp/web.sqlite" --out "$site" $options >/dev/null
    cp "$site/$page" "snapshots/web/$file"
    echo "wrote snapshots/web/$file"
done < snapshots/web/pages.tsv
