"""JupyterLab as `sandbox up` starts it: German, no news, the project's kernel, widgets, no CORS for strangers.

One ``sandbox up --detach`` for the module (tests/services/conftest.py). The
browser test opens the lab in real headless Chromium, waits for the welcome
notebook and keeps a screenshot in test-artifacts/jupyterlab/ for a human
to look at.
"""

from __future__ import annotations

import http.client
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browsers import ARTIFACTS
from tests.services.conftest import REPO, http_get

pytestmark = pytest.mark.slow

FOREIGN = "http://angreifer.example"


def _settings(detached: dict[str, Any], plugin: str) -> dict[str, Any]:
    status, body = http_get(f"http://127.0.0.1:{detached['ports']['jupyter']}/lab/api/settings/{plugin}"
                            f"?token={detached['token']}")
    assert status == 200
    return json.loads(body)["schema"]["properties"]


def test_jupyterlab_defaults_to_german_and_fetches_no_news(detached: dict[str, Any]) -> None:
    assert _settings(detached, "@jupyterlab/translation-extension:plugin")["locale"]["default"] == "de_DE"
    notification = _settings(detached, "@jupyterlab/apputils-extension:notification")
    assert notification["fetchNews"]["default"] == "false" and notification["checkForUpdates"]["default"] is False
    status, body = http_get(f"http://127.0.0.1:{detached['ports']['jupyter']}/lab/api/translations/"
                            f"?token={detached['token']}")
    assert status == 200 and "de_DE" in json.loads(body)["data"]  # the language pack is installed


def test_notebooks_run_in_the_project_kernel_with_widgets(detached: dict[str, Any]) -> None:
    base, token = f"http://127.0.0.1:{detached['ports']['jupyter']}", detached["token"]
    specs = json.loads(http_get(f"{base}/api/kernelspecs?token={token}")[1])
    spec = specs["kernelspecs"][specs["default"]]["spec"]
    assert specs["default"] == "python3"  # the name every committed notebook carries
    assert spec["display_name"].startswith("Experimentierraum (Python 3.")
    assert spec["argv"][0] == sys.executable
    assert spec["env"]["PATH"].split(":")[0] == str(Path(sys.executable).parent)  # `sandbox` in `!` commands
    page = http_get(f"{base}/lab?token={token}")[1].decode()
    assert "@jupyter-widgets/jupyterlab-manager" in page  # ipywidgets: progress bars render, no "IProgress not found"


def _cors(detached: dict[str, Any], method: str, origin: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", detached["ports"]["jupyter"], timeout=10)
    connection.request(method, f"/api/contents/notebooks?token={detached['token']}",
                       headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def test_a_foreign_origin_gets_no_cors_permission(detached: dict[str, Any]) -> None:
    for method in ("GET", "OPTIONS"):
        answer = _cors(detached, method, FOREIGN)
        allowed = answer.getheader("Access-Control-Allow-Origin")
        assert allowed is None, (method, allowed)  # Jupyter Server's default echoes the Origin back
        assert answer.getheader("Access-Control-Allow-Credentials") is None


@pytest.mark.browser
def test_jupyterlab_opens_the_welcome_notebook_in_german(detached: dict[str, Any], chromium) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    url = detached["state"]["services"]["jupyterlab"]["url"]
    assert url.split("?")[0].endswith("/lab/tree/notebooks/00_Willkommen.ipynb")
    welcome = Path(detached["env"]["SANDBOX_HOME"]) / "notebooks" / "00_Willkommen.ipynb"
    shutil.copyfile(REPO / "notebooks" / welcome.name, welcome)  # the test workspace starts without notebooks
    chromium.set_window_size(1400, 900)
    chromium.get(url)

    def text(driver: Any) -> str:
        return str(driver.execute_script("return document.body.innerText"))

    WebDriverWait(chromium, 180).until(lambda d: "Willkommen im Experimentierraum" in text(d))
    WebDriverWait(chromium, 120).until(lambda d: "Experimentierraum (Python 3." in text(d) and "Leerlauf" in text(d))
    shown = text(chromium)
    for menu in ("Datei", "Bearbeiten", "Anzeigen", "Ausführen", "Einstellungen", "Hilfe"):
        assert menu in shown, menu
    assert "File\n" not in shown and "Jupyter news" not in shown and "Jupyter-Nachrichten" not in shown
    tab = chromium.execute_script("return document.querySelector("
                                  "'#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').textContent")
    assert tab == "00_Willkommen.ipynb"
    out = ARTIFACTS / "jupyterlab"
    out.mkdir(parents=True, exist_ok=True)
    assert chromium.save_screenshot(str(out / "00_Willkommen.png"))
