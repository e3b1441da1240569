"""The HTML report in a real browser: headless Chromium (Debian's chromium + chromedriver) via Selenium.

Checks that the page loads without console errors, that every chart decodes,
that nothing is fetched from outside, that the layout fits a 1280 px window,
and that the key numbers are on the page. A full-page screenshot and the
report are kept under test-artifacts/compare/ (git-ignored) for a human to
look at. Without Chromium the test is skipped, except under CI=true, where
CI provisions it (``make chromium``) and a missing browser fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandbox import compare
from sandbox.compare import scorecard
from tests.compare.conftest import log_failed, log_runs
from tests.support import unavailable

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "compare"


@pytest.fixture()
def browser(chromium: object) -> object:
    """The shared headless Chromium (tests/browsers.py), at the window size the layout check expects."""
    chromium.set_window_size(1280, 1000)
    return chromium


@pytest.fixture(scope="module")
def report(store: str, musterstadt, tmp_path_factory: pytest.TempPathFactory) -> Path:
    log_runs("kindergeld-regeln", {"recall": [0.8, 0.82, 0.81], "precision": [0.91, 0.9, 0.92]}, musterstadt,
             params={"leistung": "Kindergeld", "zeitraum_monate": 12}, criteria={"recall": (0.75, ">=")})
    log_runs("kindergeld-erweitert", {"recall": [0.7, 0.71, 0.69], "precision": [0.9, 0.93, 0.91]}, musterstadt,
             params={"leistung": "Kindergeld", "zeitraum_monate": 24}, criteria={"recall": (0.75, ">=")})
    log_failed("kindergeld-erweitert", musterstadt, 4, {"leistung": "Kindergeld", "zeitraum_monate": 24})
    for name, who, note in (("kindergeld-regeln", "Erika Beispiel", 4), ("kindergeld-regeln", "Max Muster", 3),
                            ("kindergeld-erweitert", "Erika Beispiel", 2)):
        ratings = {c.key: {"note": note, "begruendung": f"{c.title}: so eingeschätzt"} for c in scorecard.CRITERIA}
        scorecard.record(name, scorecard.parse({"bewerter": who, "kriterien": ratings}))
    out = tmp_path_factory.mktemp("bericht") / "vergleich.html"
    compare.compare(["kindergeld-regeln", "kindergeld-erweitert"], out=out)
    return out


def test_report_renders_in_chromium(report: Path, browser) -> None:
    browser.get(report.as_uri())
    assert browser.title == "Vergleich: kindergeld-regeln – kindergeld-erweitert"
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt])")
    assert len(images) == 3  # metrics, scorecard, cost
    assert all(complete and width >= 600 and height >= 100 and alt for complete, width, height, alt in images)
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [url for url in fetched if not url.startswith("data:")] == []
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    text = browser.execute_script("return document.body.innerText")
    for expected in ("Zusammenfassung", "kindergeld-erweitert gegenüber kindergeld-regeln: klar schlechter bei recall "
                     "(0,7 statt 0,81)", "-0,11", "0,8 bis 0,82", "im Rauschen", "nicht erfüllt", "Gesamtnote", "3,5",
                     "Erika Beispiel", "Max Muster", "FAILED", "nicht eingerechnet", "gleicher Datensatz",
                     "15 W je Kern", "380 g CO2 je kWh", "zeitraum_monate"):
        assert expected in text, expected
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, height + 120)
    shot = ARTIFACTS / "vergleich.png"
    assert browser.save_screenshot(str(shot))
    shutil.copyfile(report, ARTIFACTS / "vergleich.html")
    assert shot.stat().st_size > 50_000


@pytest.fixture(scope="module")
def verdict_report(store: str, musterstadt, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KI-Posteingang comparison (labels from the real template) as HTML and PDF."""
    seeds = (1, 2, 3, 4, 5)
    for name, threshold, share, right in (("schwelle-08", 0.8, [0.62, 0.6, 0.61, 0.63, 0.62], [0.93, 0.94, 0.93, 0.92, 0.93]),
                                          ("schwelle-09", 0.9, [0.45, 0.44, 0.46, 0.45, 0.47], [0.97, 0.98, 0.97, 0.97, 0.98])):
        log_runs(name, {"automatisch_anteil": share, "automatisch_accuracy": right, "testnachrichten": [759] * 5,
                        "macro_f1": [0.8, 0.8008, 0.8009, 0.8, 0.8]}, musterstadt, seeds=seeds,
                 params={"konfidenzschwelle": threshold}, template="ki-posteingang",
                 criteria={"automatisch_accuracy": (0.95, ">="), "automatisch_anteil": (0.5, ">="),
                           "macro_f1": (0.75, ">=")})
    folder = tmp_path_factory.mktemp("empfehlung")
    compare.compare(["schwelle-08", "schwelle-09"], out=folder / "empfehlung.html")
    compare.compare(["schwelle-08", "schwelle-09"], out=folder / "empfehlung.pdf", fmt="pdf")
    return folder / "empfehlung.html"


def test_recommendation_and_its_pdf(verdict_report: Path, browser) -> None:
    import re
    import subprocess

    browser.get(verdict_report.as_uri())
    text = browser.execute_script("return document.body.innerText")
    first = browser.execute_script("return document.querySelector('main section').id")
    assert first == "empfehlung"
    for expected in ("Empfehlung", "Abwägungssache: schwelle-09 gewinnt so viel, wie es verliert", "Abwägung:", "Prozentpunkte",
                     "Anteil richtig geleiteter unter den automatisch weitergeleiteten Nachrichten",
                     "In allen Läufen gleich", "Zahl der Testnachrichten", "0,9", "Uhr (MEZ)",
                     "Was das Urteil ändern würde"):
        assert expected in text, expected
    assert not re.search(r"\d[eE][+-]\d", text)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, height + 120)
    assert browser.save_screenshot(str(ARTIFACTS / "empfehlung.png"))
    pdf = verdict_report.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        unavailable("poppler-utils (pdftotext, pdftoppm) is not installed", "install it with: make chromium")
    pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert "Abwägungssache: schwelle-09 gewinnt so viel, wie es verliert" in pdf_text and "Prozentpunkte" in pdf_text
    assert not re.search(r"\d[eE][+-]\d", pdf_text)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf),
                    str(ARTIFACTS / "empfehlung-pdf")], check=True)
    shutil.copyfile(pdf, ARTIFACTS / "empfehlung.pdf")
    assert (ARTIFACTS / "empfehlung-pdf-1.png").stat().st_size > 10_000
