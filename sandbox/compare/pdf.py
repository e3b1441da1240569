"""The report as PDF, for the file a Dezernent signs: the HTML printed by headless Chromium.

Chromium lays out the self-contained HTML exactly as the browser shows it
(charts are data URIs, nothing is fetched) and prints it with the page's
own print styles. Chromium is a system package (``make chromium``), not a
Python dependency; without it the PDF format is one German error that says
how to install it, before anything is written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sandbox.errors import SandboxError

__all__ = ["browser", "html_to_pdf", "BROWSERS"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_ENV = "SANDBOX_CHROMIUM"  # a browser binary outside PATH
_TIMEOUT_S = 180


def browser() -> str:
    """The Chromium binary; a missing browser is an error with the install command."""
    named = os.environ.get(_ENV)
    if named:
        if not shutil.which(named):
            raise SandboxError(f"{_ENV}={named} ist kein ausführbares Programm; Pfad zu Chromium angeben")
        return named
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise SandboxError("für --format pdf wird Chromium gebraucht, ist aber nicht installiert; installieren mit "
                       "'make chromium' (Debian: apt-get install chromium) oder als HTML erzeugen und drucken")


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` (a self-contained page) to PDF bytes with headless Chromium."""
    binary = browser()
    with tempfile.TemporaryDirectory(prefix="sandbox-pdf-") as tmp:
        page, out = Path(tmp) / "bericht.html", Path(tmp) / "bericht.pdf"
        page.write_text(html, encoding="utf-8")
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={Path(tmp) / 'profil'}", "--no-pdf-header-footer",
                   f"--print-to-pdf={out}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise SandboxError(f"Chromium hat die PDF nicht in {_TIMEOUT_S} s erzeugt; als HTML erzeugen "
                               "(--format html) und im Browser drucken") from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["keine Meldung"])[-1][:200]
            raise SandboxError(f"Chromium konnte die PDF nicht erzeugen ({last}); als HTML erzeugen "
                               "(--format html) und im Browser drucken")
        return out.read_bytes()
