"""Compare experiments side by side, for evaluators: ``sandbox compare A B [C ...]``.

    from sandbox import compare
    result = compare.compare(["kindergeld-12-monate", "kindergeld-24-monate"], out="vergleich.html")
    result.comparison.summary        # German sentences: who is ahead on what
    compare.frames.metrics(result.comparison)   # the same numbers as a DataFrame

Each named MLflow experiment (or single run) becomes one column: metrics as
mean over seeds with a bootstrap 95 % interval and the difference to the
first (the baseline), success criteria, the evaluators' scorecard
(``sandbox experiment score``), time and energy, parameters and data lineage.
The report opens with a recommendation (:mod:`sandbox.compare.verdict`) and is
one self-contained HTML file, or Markdown, JSON or PDF (the HTML printed by
headless Chromium).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from sandbox.compare import frames, scorecard
from sandbox.compare.analysis import build
from sandbox.compare.model import Comparison
from sandbox.compare.pdf import html_to_pdf
from sandbox.compare.report import FORMATS, check_format, check_target, default_path, render, write_atomic
from sandbox.compare.sources import finished_runs

__all__ = ["compare", "build", "render", "Result", "Comparison", "FORMATS", "frames", "scorecard", "finished_runs",
           "transfer_evidence"]


@dataclass(frozen=True)
class Result:
    """A finished comparison, its rendered text and where it was written (None: not written)."""

    comparison: Comparison
    text: str
    path: Path | None


def compare(names: Sequence[str], out: str | Path | None = None, fmt: str = "html",
            allow_different_metrics: bool = False, transfer: str | None = None) -> Result:
    """Compare ``names`` and write the report to ``out`` (default ``vergleich-<names>.<fmt>``; "-": don't write).

    ``text`` of the result is the rendered report (for ``pdf`` the HTML that was printed).

    Format and target are checked before MLflow is asked anything; the report
    is rendered completely before the file is written, atomically. Experiments
    without a shared metric are an error unless ``allow_different_metrics``. ``transfer``: the experiment
    run on several profiles (``sandbox experiment run NAME --profiles ...``); ``names`` then stays empty.
    """
    target = None if str(out) == "-" else (Path(out) if out else default_path(names or [f"{transfer}-uebertragbarkeit"], fmt))
    check_format(fmt, target)
    if target is not None:
        check_target(target)
    comparison = build(names, allow_different_metrics, transfer)
    text = render(comparison, "html" if fmt == "pdf" else fmt)
    if target is not None:
        write_atomic(target, html_to_pdf(text) if fmt == "pdf" else text)
    return Result(comparison, text, target)


def transfer_evidence(experiment: str) -> dict[str, str]:
    """{"uebertragbarkeit": one line for the scorecard} when ``experiment`` ran on several profiles, else {}."""
    from sandbox.compare.transfer import evidence
    from sandbox.errors import SandboxError

    try:
        found = build([], transfer=experiment)
    except SandboxError:
        return {}
    return {"uebertragbarkeit": evidence(found.transfer)}
