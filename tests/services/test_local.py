"""A :class:`~sandbox.services.local.Service`'s life (start, ready, stop), with small real processes."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.services import Service
from tests.services.conftest import http_get, pid_gone, port_free
from tests.support import free_port


def test_service_starts_answers_and_stops(tmp_path: Path) -> None:
    port = free_port()
    web = Service("web", port, f"http://127.0.0.1:{port}/", tmp_path / "web.log",
                  [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"])
    web.start()
    try:
        web.wait_ready(time.monotonic() + 30)
        assert http_get(web.url)[0] == 200 and web.running()
    finally:
        web.stop()
    assert not web.running() and port_free(port) and pid_gone(web.pid or 0)
    web.stop()  # idempotent


def test_service_that_dies_while_starting_shows_its_log(tmp_path: Path) -> None:
    broken = Service("broken", free_port(), "", tmp_path / "broken.log",
                     [sys.executable, "-c", "print('Konfiguration fehlt: token'); raise SystemExit(3)"])
    broken.start()
    with pytest.raises(SandboxError) as error:
        broken.wait_ready(time.monotonic() + 30)
    assert "broken hat sich beim Start beendet: Konfiguration fehlt: token" in str(error.value)
    assert str(tmp_path / "broken.log") in str(error.value)


def test_stop_takes_the_whole_process_group_even_a_child_ignoring_sigterm(tmp_path: Path) -> None:
    stubborn = ("import signal, subprocess, sys, time\n"
                "child = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
                "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'])\n"
                "print(child.pid, flush=True)\n"
                "time.sleep(600)\n")
    service = Service("stubborn", 0, "", tmp_path / "stubborn.log", [sys.executable, "-c", stubborn])
    service.start()
    deadline = time.monotonic() + 30
    while not service.log.read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(service.log.read_text().split()[0])
    service.stop(timeout=1)
    assert pid_gone(service.pid or 0) and pid_gone(child)

