#!/usr/bin/env bash
# Usage: check.sh BINARY
#
# For every row of manifest.tsv (file<TAB>line<TAB>description), in a fresh
# mktemp dir: import base.ndjson into a new ledger, snapshot it, import the
# hostile file, and require
#   1. exit code 2,
#   2. stderr is exactly one line, starting with "error: FILE:LINE:",
#   3. the ledger file is byte-identical afterwards (cmp; a non-empty -wal
#      file must be unchanged too),
#   4. `export` and `head` print the same as before (logical rollback).
# Check 3 can be turned off with HOSTILE_BYTES=0 to see whether failures are
# only physical (page/header churn) rather than logical.
# Prints "N passed, M failed"; exits 0 only if nothing failed.
set -u
if [ $# -ne 1 ]; then echo "usage: $0 BINARY" >&2; exit 64; fi
BIN=$1
case $BIN in /*) ;; *) BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") ;; esac
[ -x "$BIN" ] || { echo "not executable: $BIN" >&2; exit 64; }
DIR=$(cd "$(dirname "$0")" && pwd)
cd "$DIR" || exit 1
BYTES=${HOSTILE_BYTES:-1}

pass=0; fail=0
while IFS=$'\t' read -r file line desc || [ -n "$file" ]; do
  [ "$file" = "file" ] && continue
  [ -z "$file" ] && continue
  tmp=$(mktemp -d)
  db=$tmp/ledger.sqlite
  problem=""
  add() { problem="${problem:+$problem; }$1"; }
  if [ ! -f "$file" ]; then
    add "missing fixture file"
  elif ! "$BIN" import base.ndjson --db "$db" >"$tmp/base.out" 2>"$tmp/base.err"; then
    add "base.ndjson import failed: $(head -c 300 "$tmp/base.err")"
  else
    cp "$db" "$tmp/before.sqlite"
    "$BIN" export --db "$db" >"$tmp/before.export" 2>/dev/null
    "$BIN" head --db "$db" >"$tmp/before.head" 2>/dev/null
    : >"$tmp/before.wal"
    [ -s "$db-wal" ] && cp "$db-wal" "$tmp/before.wal"

    "$BIN" import "$file" --db "$db" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?

    [ "$rc" -eq 2 ] || add "exit $rc (want 2)"
    # count lines; a last line without a trailing newline still counts
    nlines=$(wc -l <"$tmp/err" | tr -d ' ')
    if [ -s "$tmp/err" ] && [ -n "$(tail -c 1 "$tmp/err" | tr -d '\n')" ]; then
      nlines=$((nlines + 1))
    fi
    [ "$nlines" -eq 1 ] || add "stderr has $nlines lines (want 1)"
    prefix="error: $file:$line:"
    first=$(head -n 1 "$tmp/err")
    [ "${first#"$prefix"}" != "$first" ] || add "stderr does not start with '$prefix'"

    if [ "$BYTES" != 0 ]; then
      cmp -s "$db" "$tmp/before.sqlite" || add "ledger file not byte-identical"
      : >"$tmp/after.wal"
      [ -s "$db-wal" ] && cp "$db-wal" "$tmp/after.wal"
      cmp -s "$tmp/after.wal" "$tmp/before.wal" || add "-wal file changed"
    fi
    "$BIN" export --db "$db" >"$tmp/after.export" 2>/dev/null
    "$BIN" head --db "$db" >"$tmp/after.head" 2>/dev/null
    cmp -s "$tmp/before.export" "$tmp/after.export" || add "export differs (events were written)"
    cmp -s "$tmp/before.head" "$tmp/after.head" || add "head differs"

    [ -z "$problem" ] || problem="$problem; exit=$rc stderr: $(head -c 300 "$tmp/err" | tr '\n' '|')"
  fi
  if [ -z "$problem" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL %s (line %s: %s): %s\n' "$file" "$line" "$desc" "$problem"
  fi
  rm -rf "$tmp"
done <manifest.tsv

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
