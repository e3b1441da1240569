"""Render a comparison as one self-contained HTML file, as Markdown or as JSON, and write it atomically.

The HTML comes from ``bericht.html.j2`` beside this module: inline CSS,
charts as PNG data URIs, no script and no external address, so the file opens
offline and can be mailed on. Markdown (``bericht.md.j2``) carries the same
tables without charts; JSON carries every number for further processing.
The whole report is rendered in memory first and then written to a
temporary file beside the target that is renamed into place, so a failure
never leaves a half-written report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit, urlunsplit

from sandbox.compare import charts, fmt, scorecard, stats, verdict
from sandbox.compare.model import Comparison
from sandbox.errors import SandboxError
from sandbox.german import integer

__all__ = ["FORMATS", "render", "default_path", "check_format", "check_target", "write_atomic", "to_json_data"]

FORMATS = ("html", "md", "json", "pdf")  # pdf: the HTML printed by headless Chromium (see pdf.py)
_HERE = Path(__file__).parent


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # what could open an HTML tag or comment; "a < b" stays as it is


def markdown_text(value: Any) -> Any:
    """A value for Markdown with every possible HTML tag start escaped (``\\<script>``): names come from users."""
    return _TAG_START.sub(r"\\<", value) if isinstance(value, str) else value


def _environment(autoescape: bool) -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_HERE)), autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, finalize=None if autoescape else markdown_text)
    env.filters.update(num=fmt.num, signed=fmt.signed, seconds=fmt.seconds, when=fmt.when, energy=fmt.energy,
                       mass=fmt.mass, rule=fmt.rule, grade=fmt.grade, value=fmt.value,
                       interval=lambda e, digits=3, sign=False, scale=None:
                       fmt.interval(e.low, e.high, digits, sign, scale) if e else fmt.DASH,
                       cell=lambda text: str(text).replace("|", "\\|").replace("\n", " "))
    return env


def _public_uri(uri: str) -> str:
    """The tracking URI without user name or password."""
    parts = urlsplit(uri)
    if parts.username or parts.password:
        return urlunsplit(parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")))
    return uri


def _context(c: Comparison) -> dict[str, Any]:
    return {"c": c, "criteria": scorecard.CRITERIA, "color": charts.color, "tracking": _public_uri(c.tracking_uri),
            "resamples": integer(stats.RESAMPLES), "level": round(stats.LEVEL * 100),
            "bootstrap_seed": stats.BOOTSTRAP_SEED, "max_panels": charts.MAX_METRIC_PANELS,
            "enough_seeds": verdict.ENOUGH_SEEDS, "size_words": verdict.SIZE_WORDS}


def render(c: Comparison, fmt_name: str) -> str:
    """The report as text in ``fmt_name`` (html, md or json)."""
    if fmt_name == "json":
        return json.dumps(to_json_data(c), ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    if fmt_name == "md":
        return _environment(False).get_template("bericht.md.j2").render(**_context(c))
    images = {"metriken": charts.metrics_chart(c), "bewertung": charts.scores_chart(c), "aufwand": charts.cost_chart(c)}
    return _environment(True).get_template("bericht.html.j2").render(images=images, **_context(c))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for extra in ("verdict", "has_interval", "overall", "seeds", "finished", "digest", "seed"):
            attr = getattr(type(value), extra, None)
            if isinstance(attr, property):
                data[extra] = _plain(getattr(value, extra))
        return data
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json_data(c: Comparison) -> dict[str, Any]:
    """Everything in the report as plain data; each metric row also lists its verdicts per subject."""
    data = _plain(c)
    data["tracking_uri"] = _public_uri(c.tracking_uri)
    for row, plain in zip(c.metrics, data["metrics"]):
        plain["verdicts"] = [row.verdict(i) for i in range(len(c.subjects))]
    data["method"] = {"bootstrap": "percentile, mean over seeds; difference unpaired", "resamples": stats.RESAMPLES,
                      "level": stats.LEVEL, "rng_seed": stats.BOOTSTRAP_SEED}
    return data


def default_path(names: Sequence[str], fmt_name: str) -> Path:
    """``vergleich-<names>.<fmt>`` in the current directory."""
    slug = "-".join(re.sub(r"[^A-Za-z0-9_-]+", "_", n).strip("_") for n in names)[:120].strip("-_")
    return Path.cwd() / f"vergleich-{slug or 'bericht'}.{fmt_name}"


def check_format(fmt_name: str, target: Path | None = None) -> None:
    if fmt_name not in FORMATS:
        raise SandboxError(f"--format muss eines von {', '.join(FORMATS)} sein, nicht {fmt_name!r}")
    if fmt_name == "pdf":
        if target is None:
            raise SandboxError("eine PDF geht nicht auf die Standardausgabe; eine Datei mit --out angeben")
        from sandbox.compare.pdf import browser

        browser()  # a missing Chromium is an error before MLflow is asked


def check_target(path: Path) -> None:
    """Fail early (before any MLflow query) on an unusable output path."""
    if path.is_dir():
        raise SandboxError(f"{path} ist ein Ordner; bitte mit --out einen Dateinamen angeben, z. B. {path / 'vergleich.html'}")
    if not path.parent.is_dir():
        raise SandboxError(f"den Ordner {path.parent} gibt es nicht; bitte anlegen oder ein anderes --out wählen")


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to a temporary file beside ``path`` and rename it into place."""
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SandboxError(f"in {path.parent} lässt sich nicht schreiben ({exc.strerror}); bitte ein anderes --out wählen") from None
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
