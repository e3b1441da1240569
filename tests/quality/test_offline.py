"""Data Docs without internet: a German entry page, GX pages with no external reference and no script."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sandbox.quality import check_extract
from sandbox.quality.offline import CSP_TAG, harden
from tests.browsers import ARTIFACTS

_EXTERNAL = re.compile(r"""\b(?:(?:src|href)\s*=\s*["']|url\()\s*["']?(?:https?:)?//""", re.I)

PAGE = """<html><head><style>.logo{background: url('https://s3.example.org/logo.png') 0 0}</style><link rel="stylesheet" href="https://cdn.example.org/bootstrap.css"/>
<script src="//unpkg.com/jquery.js"></script><link rel="stylesheet" href="../static/gx.css"></head>
<body><a href="../index.html">Start</a><img src="https://tracker.example.org/p.gif">
<a href='https://greatexpectations.io/x'>GX</a><button onclick="show()">mehr</button><script>var inline = 1;</script>
<footer><p>newsletter <a href="https://greatexpectations.io/newsletter">Subscribe</a></p></footer></body></html>"""


def test_harden_removes_every_external_reference_and_keeps_local_ones() -> None:
    page = harden(PAGE)
    assert not _EXTERNAL.search(page), page
    assert page.startswith("<html><head>" + CSP_TAG)
    assert 'href="../static/gx.css"' in page and 'href="../index.html"' in page and "<button>mehr</button>" in page
    assert "newsletter" not in page and "<style>" in page and "<a>GX</a>" in page and "<script" not in page
    assert harden(page) == page  # a second pass changes nothing


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data Docs of an extract with a failing value that looks like a script."""
    folder = tmp_path_factory.mktemp("offline")
    (folder / "haushalte.csv").write_text(
        "haushalt_id;anschrift_id;haushaltstyp;anzahl_personen\n1;1;<script>document.title='x'</script>;2\n"
        "2;1;Einpersonenhaushalt;1\n", encoding="utf-8")
    report = check_extract(folder / "haushalte.csv", "haushalte")
    assert not report.passed and report.docs is not None
    return report.docs


def test_every_page_is_self_contained_and_the_entry_page_is_german(docs: Path) -> None:
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) > 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not _EXTERNAL.search(text), page
        assert CSP_TAG in text, page
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in index and "Qualitätsprüfung" in index and "nicht bestanden" in index
    assert "&lt;script&gt;" in index and "<script>" not in index
    links = re.findall(r'href="([^"]+)"', index)
    assert links and all((docs / link).is_file() for link in links)


@pytest.mark.browser
def test_data_docs_render_offline_in_chromium(docs: Path, chromium) -> None:
    chromium.get((docs / "index.html").as_uri())
    text = chromium.execute_script("return document.body.innerText")
    assert "Qualitätsprüfung" in text and "nicht bestanden" in text and "<script>document.title" in text
    assert chromium.title == "Qualitätsprüfung"
    fetched = chromium.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [url for url in fetched if not url.startswith("file:")] == []
    out = ARTIFACTS / "quality"
    out.mkdir(parents=True, exist_ok=True)
    assert chromium.save_screenshot(str(out / "data-docs-index.png"))
    detail = sorted((docs / "validations").rglob("*.html"))[0]
    chromium.get(detail.as_uri())
    text = chromium.execute_script("return document.body.innerText")
    assert "Expectation Validation Result" in text and "Failed" in text
    assert chromium.title != "x"  # the value's script did not run
    assert [e["message"] for e in chromium.get_log("browser") if e["level"] == "SEVERE"] == []
    fetched = chromium.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [url for url in fetched if not url.startswith("file:")] == []
    assert chromium.save_screenshot(str(out / "data-docs-detail.png"))
    shutil.copytree(docs, out / "qualitaet", dirs_exist_ok=True)
