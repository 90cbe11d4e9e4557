#!/usr/bin/env bash
# The web benchmark of issue 10: `goalledger serve` against Datasette on the same 1M-event national ledger.
#
#   bench/web.sh                          1M events, 16 connections, 2 s warm-up + 10 s per route
#   EVENTS=100000 DURATION=5 bench/web.sh a quick look
#   BIN_DIR=DIR bench/web.sh             use DIR/goalledger and DIR/goalledger-bench as they are (no build)
#   REIMPORT=1 bench/web.sh              import again even when the ledger in $WORK looks current
#
# Builds the release binaries (niced, scratch path .build-release), generates the synthetic national
# ledger with `goalledger-bench generate` into $WORK (default /tmp/goalledger-bench; never the repository)
# and imports it, picks real ids from it (the benchmark's 200-entity plan, a goal of it whose target was
# revised), then starts both servers on 127.0.0.1 and, in the same run, measures with wrk (Debian):
#   plan page      GET /e/PLAN
#   goal page      GET /e/GOAL
#   /api/show      GET /api/show/GOAL
#   Datasette      GET /ledger/entities/GOAL.json   (the same file's `entities` row, opened immutable)
# Target (issue 10): /api/show ≥ 2× Datasette's requests/s, and its p99 ≤ 50 ms.
# Prints a markdown table, and writes it to bench/results/web.md and the figures to bench/results/web.json.
# Only loopback is ever a target; every wrk run is bounded by its duration.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=${SCRATCH:-.build-release}
WORK=${WORK:-/tmp/goalledger-bench}
EVENTS=${EVENTS:-1000000}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2}
DURATION=${DURATION:-10}
DATASETTE_VERSION=0.65.5
OUT_MD=${OUT_MD:-bench/results/web.md}
OUT_JSON=${OUT_JSON:-bench/results/web.json}

log() { printf '[web bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
case "$WORK/" in "$ROOT"/*) die "WORK ($WORK) must be outside the repository" ;; esac

if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
command -v curl >/dev/null || die "curl is needed"

# The code as it is when the build starts (a tree with edits not yet committed says so).
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo "+uncommitted")
if [ -n "${BIN_DIR:-}" ]; then
    BIN=$(cd "$BIN_DIR" && pwd)
    log "using the binaries in $BIN (BIN_DIR; not built)"
else
    log "building release binaries in $SCRATCH"
    for product in goalledger goalledger-bench; do
        # A source file saved mid-build fails the build; try again, at most three times.
        for attempt in 1 2 3; do
            nice -n 10 swift build -c release --scratch-path "$SCRATCH" --product "$product" >&2 && break
            [ "$attempt" = 3 ] && die "release build of $product failed"
            sleep 5
        done
    done
    BIN="$ROOT/$SCRATCH/release"
fi
"$BIN/goalledger" serve --help >/dev/null 2>&1 || die "$BIN/goalledger has no serve command"

NDJSON="$WORK/ledger-$EVENTS.ndjson"
DIR="$WORK/web"
DB="$DIR/ledger.sqlite"   # Datasette names the database after the file: /ledger/...
mkdir -p "$DIR"
if [ ! -s "$NDJSON" ]; then
    log "generating $EVENTS events into $NDJSON"
    "$BIN/goalledger-bench" generate "$EVENTS" "$NDJSON" >&2
fi
# Import again unless the ledger is newer than both the input and the binary (REIMPORT=1 forces it).
if [ -n "${REIMPORT:-}" ] || [ ! -s "$DB" ] || [ "$NDJSON" -nt "$DB" ] || [ "$BIN/goalledger" -nt "$DB" ]; then
    log "importing into $DB"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    GOALLEDGER_USER=bench nice -n 10 "$BIN/goalledger" import "$NDJSON" --quiet --db "$DB" >&2
else
    log "reusing $DB (newer than $NDJSON and the binary)"
fi

if [ ! -x "$WORK/dsvenv/bin/datasette" ] || ! "$WORK/dsvenv/bin/datasette" --version | grep -q "$DATASETTE_VERSION"; then
    log "installing datasette==$DATASETTE_VERSION into $WORK/dsvenv"
    rm -rf "$WORK/dsvenv"
    python3 -m venv "$WORK/dsvenv"
    "$WORK/dsvenv/bin/pip" install -q --disable-pip-version-check "datasette==$DATASETTE_VERSION" >&2
fi
PY="$WORK/dsvenv/bin/python"

# Fold the WAL into the file (Datasette's immutable mode reads the main file only), then pick the ids.
IDS=$("$PY" - "$DB" <<'EOF'
import sqlite3, sys
from datasette.utils import tilde_encode
db = sys.argv[1]
c = sqlite3.connect(db)
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.close()
c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
big = "koebenhavn/kommuneplan-2019"   # Generator.bigPlan, the plan the tree benchmark reads
plan = c.execute("SELECT id FROM entities WHERE id = ? AND kind = 'plan'", (big,)).fetchone()
if plan is None:  # a smaller ledger: the plan with most entities
    plan = c.execute("SELECT plan FROM entities WHERE kind != 'plan' AND plan IS NOT NULL "
                     "GROUP BY plan ORDER BY count(*) DESC, plan LIMIT 1").fetchone()
plan = plan[0]
# A goal of that plan whose target was revised (most revisions first), else any revised goal.
goal = c.execute("""SELECT g.id FROM entities g JOIN events e ON e.stream = g.id AND e.type = 'TargetSet'
                    WHERE g.kind = 'goal' GROUP BY g.id HAVING count(*) >= 2
                    ORDER BY (g.plan = ?) DESC, count(*) DESC, g.id LIMIT 1""", (plan,)).fetchone()[0]
print(plan, goal, tilde_encode(goal))
EOF
)
read -r PLAN GOAL GOAL_TILDE <<<"$IDS"
log "plan $PLAN, goal $GOAL"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

SERVE_PID= DS_PID=
cleanup() {
    for p in $SERVE_PID $DS_PID; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $SERVE_PID $DS_PID; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

"$BIN/goalledger" serve --db "$DB" --host 127.0.0.1 --port 0 2>"$DIR/serve.log" >/dev/null &
SERVE_PID=$!
GL=
for _ in $(seq 600); do
    GL=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$DIR/serve.log" | head -1)
    [ -n "$GL" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || die "goalledger serve exited: $(cat "$DIR/serve.log")"
    sleep 0.1
done
[ -n "$GL" ] || die "goalledger serve printed no 'listening on' line in 60 s"
GL=${GL%/}

DS_PORT=$(free_port)
"$WORK/dsvenv/bin/datasette" serve -i "$DB" --host 127.0.0.1 --port "$DS_PORT" >"$DIR/datasette.log" 2>&1 &
DS_PID=$!
DS="http://127.0.0.1:$DS_PORT"
for _ in $(seq 600); do
    curl -fs "$DS/-/versions.json" >/dev/null 2>&1 && break
    kill -0 "$DS_PID" 2>/dev/null || die "datasette exited: $(cat "$DIR/datasette.log")"
    sleep 0.1
done
curl -fs "$DS/-/versions.json" >/dev/null || die "datasette did not answer in 60 s"

ROUTES=(
    "plan page|$GL/e/$PLAN"
    "goal page|$GL/e/$GOAL"
    "/api/show|$GL/api/show/$GOAL"
    "Datasette entities row|$DS/ledger/entities/$GOAL_TILDE.json"
)
# Every URL must answer 200 with the entity before it is measured.
for r in "${ROUTES[@]}"; do
    url=${r#*|}
    code=$(curl -s -o "$DIR/check.out" -w '%{http_code}' "$url")
    [ "$code" = 200 ] || die "$url answered $code"
    grep -qF "$GOAL" "$DIR/check.out" || grep -qF "$PLAN" "$DIR/check.out" || die "$url does not show the entity"
done

RAW="$DIR/wrk.tsv"
: >"$RAW"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for r in "${ROUTES[@]}"; do
    name=${r%%|*} url=${r#*|}
    log "$name: $url (warm-up ${WARMUP} s, then ${DURATION} s, $CONNECTIONS connections)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null
    line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/web/report.lua "$url" | sed -n 's/^WRKJSON //p')
    [ -n "$line" ] || die "wrk gave no figures for $url"
    printf '%s\t%s\t%s\n' "$name" "$url" "$line" >>"$RAW"
done

SERVE_RSS=$(awk '/VmHWM/ {print $2}' "/proc/$SERVE_PID/status" 2>/dev/null || echo 0)
kill -TERM "$SERVE_PID"
SERVE_EXIT=0
wait "$SERVE_PID" || SERVE_EXIT=$?
SERVE_PID=

if [ -n "${BIN_DIR:-}" ]; then BINARIES="prebuilt binaries from $BIN_DIR (tree at $COMMIT)"; else BINARIES="release build of $COMMIT"; fi
"$PY" - "$RAW" "$OUT_MD" "$OUT_JSON" <<EOF
import json, sys
raw, out_md, out_json = sys.argv[1:4]
rows = []
for line in open(raw, encoding="utf-8"):
    name, url, fig = line.rstrip("\n").split("\t")
    f = json.loads(fig)
    f["name"], f["url"] = name, url
    f["rps"] = f["requests"] / (f["duration_us"] / 1e6)
    f["errors"] = sum(f[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
    rows.append(f)
ds = next(r for r in rows if r["name"].startswith("Datasette"))
show = next(r for r in rows if r["name"] == "/api/show")
meta = {
    "started": "$STARTED", "events": $EVENTS, "commit": "$COMMIT", "binaries": "$BINARIES", "load_average_at_start": "$LOAD",
    "cores": $(nproc), "connections": $CONNECTIONS, "wrk_threads": $THREADS, "warmup_s": $WARMUP, "duration_s": $DURATION,
    "plan": "$PLAN", "goal": "$GOAL", "datasette": "$DATASETTE_VERSION", "wrk": "$(wrk --version 2>&1 | head -1 | cut -d' ' -f2)",
    "serve_peak_rss_kib": int("${SERVE_RSS:-0}" or 0), "serve_exit_on_sigterm": $SERVE_EXIT,
}
ratio_ok = show["rps"] >= 2 * ds["rps"]
p99_ok = show["p99_us"] <= 50_000
md = []
md.append(f"## Web: goalledger serve vs Datasette, {format(meta['events'], ',').replace(',', ' ')} events")
md.append("")
md.append(f"{meta['started']}, {meta['binaries']}, {meta['cores']} cores (load {meta['load_average_at_start']} at start); "
          f"wrk {meta['wrk']}, {meta['wrk_threads']} threads, {meta['connections']} connections, "
          f"{meta['warmup_s']} s warm-up then {meta['duration_s']} s per route, all on 127.0.0.1; Datasette {meta['datasette']} "
          f"(defaults, file opened immutable). Plan \`{meta['plan']}\`, goal \`{meta['goal']}\`.")
md.append("")
md.append("| route | requests/s | p50 | p99 | errors | ÷ Datasette req/s |")
md.append("|---|---:|---:|---:|---:|---:|")
for r in rows:
    ratio = "—" if r is ds else f"{r['rps'] / ds['rps']:.2f}×"
    path = r["url"].split("/", 3)[3]
    md.append(f"| {r['name']} \`/{path}\` | {r['rps']:,.0f} | {r['p50_us']/1000:.2f} ms | {r['p99_us']/1000:.2f} ms | {r['errors']} | {ratio} |".replace(",", " "))
md.append("")
md.append(f"Targets: /api/show ≥ 2× Datasette's requests/s: {show['rps']/ds['rps']:.2f}× — {'met' if ratio_ok else 'missed'}; "
          f"/api/show p99 ≤ 50 ms: {show['p99_us']/1000:.2f} ms — {'met' if p99_ok else 'missed'}. "
          f"goalledger serve: peak RSS {meta['serve_peak_rss_kib']/1024:.0f} MiB, exit status {meta['serve_exit_on_sigterm']} on SIGTERM.")
md.append("")
md.append("Made by \`bench/web.sh\` (\`EVENTS=$EVENTS CONNECTIONS=$CONNECTIONS DURATION=$DURATION\`); the figures are in \`$OUT_JSON\`. "
          "Both servers share the machine's 2 cores with wrk, so compare the rows of one run, not across runs.")
text = "\n".join(md) + "\n"
open(out_md, "w", encoding="utf-8").write(text)
json.dump({"meta": meta, "routes": rows, "targets": {"api_show_2x_datasette": ratio_ok, "api_show_p99_le_50ms": p99_ok}},
          open(out_json, "w", encoding="utf-8"), indent=2, ensure_ascii=False)
print(text, end="")
EOF
