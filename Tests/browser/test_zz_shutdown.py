"""Runs last (file order): the server announced itself once and stops cleanly on SIGTERM."""

from __future__ import annotations

from conftest import LISTENING


def test_server_printed_one_listening_line(server):
    announced = [line for line in server.lines if LISTENING.match(line)]
    assert len(announced) == 1, f"expected exactly one 'listening on http://HOST:PORT' line, stderr was:\n" + "\n".join(server.lines)


def test_server_stops_cleanly_on_sigterm(server):
    code = server.stop()
    server.status_checked = True
    assert code == 0, f"goalledger serve exited with status {code} on SIGTERM; stderr:\n" + "\n".join(server.lines[-40:])
