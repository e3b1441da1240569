"""The executed notebook as an HTML page that MLflow's artifact view shows and that reads without internet.

MLflow shows an ``.ipynb`` artifact as raw JSON; an HTML artifact it renders.
nbconvert's ``lab`` template writes the notebook with its outputs (tables,
charts as embedded images) and inline styles, but also links MathJax and
RequireJS from CDNs; :func:`sandbox.quality.offline.harden` removes every
script and external reference and puts a Content-Security-Policy first, so
the page fetches nothing and an output cannot run code in the viewer.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from sandbox.quality.offline import harden

__all__ = ["write_html"]

_EXPORTERS = threading.local()  # one exporter per thread: it compiles its templates once, then only renders


def _exporter() -> Any:
    exporter = getattr(_EXPORTERS, "lab", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = _EXPORTERS.lab = HTMLExporter(template_name="lab")
    return exporter


def write_html(notebook: Path) -> Path:
    """Write ``notebook`` (executed) as ``<same name>.html`` beside it and return that path."""
    import nbformat

    body, _ = _exporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    page = notebook.with_suffix(".html")
    page.write_text(re.sub(r"<html\b[^>]*>", '<html lang="de">', harden(body), count=1), encoding="utf-8")
    return page
