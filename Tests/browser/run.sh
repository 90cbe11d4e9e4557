#!/usr/bin/env bash
# The real-browser accessibility test of `goalledger serve` (issue 10, SPEC §9).
#
#   Tests/browser/run.sh [PYTEST ARGS]        e.g.  -k goal   or   -x
#
# Needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; never `playwright install`)
# and the binary at .build/debug/goalledger (`swift build`) or $GOALLEDGER_BIN.
# Installs the pinned Python packages of requirements.txt into a venv ($BROWSER_VENV, default
# Tests/browser/.venv, gitignored), then runs pytest; screenshots go to Tests/browser/screenshots/.
# Exits non-zero on any failure, and also when pytest ran no test (its exit status 5).
set -euo pipefail
cd "$(dirname "$0")"
VENV=${BROWSER_VENV:-.venv}
PYTHON=${PYTHON:-python3}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt

set +e
"$VENV/bin/python" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "browser test: FAILED, pytest collected no test (exit 5)" >&2
    exit 1
fi
exit "$rc"
