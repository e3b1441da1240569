"""Data Docs pages that render without internet and run no script.

Great Expectations writes its pages for a browser online: styles, icons and
scripts come from public CDNs (jsDelivr, unpkg, cdnjs, Bootstrap CDN), the
footer links a newsletter, and GX's ``index.html`` builds its list with
JavaScript. A municipal network blocks the CDNs, and a data-protection
officer objects to pages that call out. So after GX has written its pages,
:func:`harden_pages` makes each one self-contained:

- a Content-Security-Policy first in ``<head>``: no script runs (a
  ``<script>`` in a sample value stays text) and nothing is fetched from
  outside;
- every ``<script>`` is removed (none could run; the browser would log each
  blocked one), so is every ``<link>`` and ``<img>`` that points to an
  ``http(s)://`` address; external links lose their address, stylesheet
  images from outside become ``none``, the newsletter footer is dropped;
- a small inline stylesheet makes the tables and status icons readable.

GX's script-built ``index.html`` is replaced by the German overview
(:mod:`sandbox.quality.overview`), which links the detail pages.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["CSP", "CSP_TAG", "STYLE", "harden_pages", "harden"]

#: no script runs and nothing loads from outside: a `<script>` in a sample value stays text, and the pages
#: fetch nothing from CDNs (what a municipal network blocks and a data-protection officer objects to)
CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
       "script-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'")
CSP_TAG = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

#: what the CDN stylesheets gave that matters offline: readable tables, badges, the status icons
STYLE = """<style>body{font-family:sans-serif;margin:1.5em;max-width:80em}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
.badge{background:#eef;border-radius:3px;padding:0 .3em;font-family:monospace}
.fa-check-circle::before{content:"\\2714";color:#1a7f37}
.fa-times::before,.fa-times-circle::before{content:"\\2718";color:#b42318}
.fa-exclamation-triangle::before{content:"\\26A0";color:#b54708}
nav,.navbar,.sticky,footer{display:none}</style>"""

_EXTERNAL = r"""["']\s*(?:https?:)?//[^"']*["']"""
_REMOVE = (
    re.compile(r"<script\b.*?</script\s*>", re.I | re.S),  # none could run under the CSP; each would log an error
    re.compile(r"<(?:link|img)\b[^>]*\b(?:href|src)\s*=\s*" + _EXTERNAL + r"[^>]*>", re.I),
    re.compile(r"<footer\b.*?</footer\s*>", re.I | re.S),
    re.compile(r"""\son[a-z]+\s*=\s*(?:"[^"]*"|'[^']*')""", re.I),  # event handlers: blocked, each logged
    re.compile(r"<link\b[^>]*\brel\s*=\s*[\"'][^\"']*icon[^>]*>", re.I),  # GX's favicon path is wrong below validations/
)
_EXTERNAL_HREF = re.compile(r"\s(?:href|src)\s*=\s*" + _EXTERNAL, re.I)
_EXTERNAL_CSS = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//[^)]*\)""", re.I)  # GX's logo from S3 in its inline CSS


def harden(text: str) -> str:
    """One page made offline and script-free: CSP first in ``<head>``, no external reference, inline style."""
    for pattern in _REMOVE:
        text = pattern.sub("", text)
    text = _EXTERNAL_CSS.sub("none", _EXTERNAL_HREF.sub("", text))
    if CSP_TAG in text:
        return text
    head = text.lower().find("<head")
    end = text.find(">", head) + 1 if head >= 0 else 0
    close = text.lower().find("</head")
    if close >= end:
        text = text[:close] + STYLE + text[close:]
    return text[:end] + CSP_TAG + text[end:]


def harden_pages(docs: Path) -> None:
    """:func:`harden` every HTML page below ``docs``."""
    for page in docs.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        hardened = harden(text)
        if hardened != text:
            page.write_text(hardened, encoding="utf-8")
