"""The real-browser test's fixtures: a ledger built by the real binary, the real `goalledger serve`,
and Debian's Chromium driven by Playwright (never a downloaded browser).

Environment:
  GOALLEDGER_BIN   the binary to test (default: .build/debug/goalledger, which `swift test` builds)
  CHROMIUM         the browser (default: /usr/bin/chromium)
Screenshots go to Tests/browser/screenshots/ (gitignored).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCREENSHOTS = HERE / "screenshots"
BIN = Path(os.environ.get("GOALLEDGER_BIN") or ROOT / ".build" / "debug" / "goalledger")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
LISTENING = re.compile(r"^listening on (http://\S+)$")


class Server:
    """`goalledger serve --port 0` on a ledger, its stderr drained by a thread."""

    def __init__(self, db: Path):
        self.lines: list[str] = []
        self.url: str | None = None
        self.returncode: int | None = None
        self.status_checked = False
        self._ready = threading.Event()
        self.proc = subprocess.Popen(
            [str(BIN), "serve", "--db", str(db), "--port", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace",
        )
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            self.lines.append(line)
            m = LISTENING.match(line)
            if m and self.url is None:
                self.url = m.group(1).rstrip("/")
                self._ready.set()
        self._ready.set()  # stderr closed: the process ended

    def wait_ready(self) -> str:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._ready.wait(0.2):
                break
        if self.url is None:
            code = self.proc.poll()
            if code is None:
                self.proc.kill()
                self.proc.wait()
                why = f"did not print 'listening on http://HOST:PORT' on stderr within {READY_TIMEOUT_S} s"
            else:
                why = f"exited with status {code} before printing 'listening on http://HOST:PORT'"
            pytest.fail(f"{BIN} serve {why}; its stderr:\n" + "\n".join(self.lines[-40:]), pytrace=False)
        return self.url

    def stop(self) -> int:
        """SIGTERM, then the exit status (a hang is killed and reported as -9)."""
        if self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.returncode = self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.returncode = -9
        return self.returncode


@pytest.fixture(scope="session")
def ledger(tmp_path_factory) -> Path:
    if not os.access(BIN, os.X_OK):
        pytest.fail(f"no goalledger binary at {BIN} (run `swift build` or set GOALLEDGER_BIN)", pytrace=False)
    db = tmp_path_factory.mktemp("ledger") / "ledger.sqlite"
    seeds = sorted(str(p) for p in (ROOT / "events").glob("*.ndjson"))
    fixture = ROOT / "Tests" / "GoalLedgerTests" / "Fixtures" / "web" / "revisions.ndjson"
    env = dict(os.environ, GOALLEDGER_CLOCK="2026-11-22T09:00:00Z", GOALLEDGER_USER="goalledger-seed")
    r = subprocess.run([str(BIN), "import", *seeds, str(fixture), "--db", str(db)],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        pytest.fail(f"import failed with status {r.returncode}:\n{r.stdout}\n{r.stderr}", pytrace=False)
    return db


@pytest.fixture(scope="session")
def server(ledger):
    s = Server(ledger)
    try:
        s.wait_ready()
    except BaseException:
        s.stop()
        raise
    yield s
    code = s.stop()
    # test_zz_shutdown.py checks the exit status as a test; this catches runs that deselect it.
    if code != 0 and not s.status_checked:
        raise AssertionError(f"goalledger serve exited with status {code} on SIGTERM; stderr:\n"
                             + "\n".join(s.lines[-40:]))


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.url


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no browser at {CHROMIUM} (apt-get install chromium)", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--font-render-hinting=none"])
        yield b
        b.close()


def new_page(browser, width: int = 1280, height: int = 800):
    # bypass_csp: the server may forbid all scripts, which is right; axe-core is injected by the test only.
    ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True,
                              locale="da-DK", timezone_id="Europe/Copenhagen")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


@pytest.fixture
def page(browser):
    ctx, pg = new_page(browser)
    yield pg
    ctx.close()


@pytest.fixture
def narrow_page(browser):
    ctx, pg = new_page(browser, width=320, height=640)
    yield pg
    ctx.close()


@pytest.fixture(scope="session", autouse=True)
def screenshots_dir():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
