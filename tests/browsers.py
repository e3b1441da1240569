"""Pytest plugin: one headless Chromium (Debian's chromium + chromedriver) driven by Selenium.

The fixture ``chromium`` is shared by every browser test (comparison
report, Data Docs, JupyterLab). Its host resolver maps every name to
nothing but ``localhost``, so a page that tries to load from the internet
fails visibly, as in a municipal network. Without Chromium the test is
skipped, except under CI=true, where ``make chromium`` provisions it and a
missing browser fails.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.support import unavailable

__all__ = ["chromium", "ARTIFACTS", "FLAGS"]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
_INSTALL = "install it with: make chromium"


@pytest.fixture(scope="session")
def _chromium_session() -> Iterator[object]:
    """The browser process, started once per session."""
    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver_path:
        unavailable("headless Chromium (chromium, chromedriver) is not installed", _INSTALL)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("selenium is not installed (dev dependency)", _INSTALL)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def chromium(_chromium_session: object) -> Iterator[object]:
    """A Selenium Chrome driver on headless Chromium, offline but for localhost; its console log starts empty.

    After the test the browser leaves the page (a page such as JupyterLab
    logs its blocked "leave page?" dialog then), and that log is dropped.
    """
    _chromium_session.get_log("browser")  # what earlier tests left
    try:
        yield _chromium_session
    finally:
        _chromium_session.get("about:blank")
        _chromium_session.get_log("browser")
