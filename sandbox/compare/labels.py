"""German labels for metrics and parameters, read from the templates the compared runs came from.

A run carries its template's name (tag ``sandbox.template``); the template's
``metriken`` and ``parameter`` sections describe every name in German. The
report shows that description where a reader would otherwise see
``automatisch_accuracy`` or ``recall.Buergerbuero``; the logged name stays
beside it in small print, since it is what MLflow and the notebooks use.
A template that no longer exists (or a run without one) leaves the names as
they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from sandbox import config
from sandbox.compare.sources import Subject
from sandbox.errors import SandboxError
from sandbox.tracking import keys

__all__ = ["Labels", "load", "short"]

_TEMPLATE_FILE = "template.yaml"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$")
_EXAMPLE = re.compile(r",?\s*z\.\s*B\..*$")  # "Trefferquote je Amt, z. B. recall.Buergerbuero"
_FAMILY_WORD = re.compile(r"\s+je\s+\w+")  # "Trefferquote je Amt" -> "Trefferquote" before the member's name


def short(text: str) -> str:
    """The label part of a description: up to the first ";" and without a trailing example."""
    return _EXAMPLE.sub("", text.split(";")[0]).strip().rstrip(".")


@dataclass(frozen=True)
class Labels:
    """Metric and parameter labels of the compared templates (the first template wins on a clash)."""

    metrics: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)

    def metric(self, name: str) -> str | None:
        """The label of ``name``; a member of a family ``recall.*`` gets the family's label and its own name."""
        if name in self.metrics:
            return short(self.metrics[name])
        for key, text in self.metrics.items():
            if key.endswith(".*") and name.startswith(key[:-1]):
                head, _, rest = short(text).partition(" (")
                head = _FAMILY_WORD.sub("", head)
                return f"{head} {name[len(key) - 1:]}" + (f" ({rest}" if rest else "")
        return None

    def param(self, name: str) -> str | None:
        return short(self.params[name]) if name in self.params else None


def load(subjects: Sequence[Subject]) -> Labels:
    """Labels from every template the subjects' runs name (read as plain YAML: only the two sections)."""
    labels = Labels()
    root = config.templates_dir()
    names = dict.fromkeys(s.tag(keys.TEMPLATE) for s in subjects if s.tag(keys.TEMPLATE))
    for name in names:
        path = root / name / _TEMPLATE_FILE
        if not _SAFE.match(name) or not path.is_file():
            continue  # a name from a run never reaches a path unchecked
        try:
            data = config.read_yaml(path)
        except SandboxError:
            continue
        for metric, text in (data.get("metriken") or {}).items():
            labels.metrics.setdefault(str(metric), str(text))
        for pname, spec in (data.get("parameter") or {}).items():
            if isinstance(spec, dict) and spec.get("beschreibung"):
                labels.params.setdefault(str(pname), str(spec["beschreibung"]))
    return labels
