"""Experiment templates: ``templates/<name>/`` with template.yaml, notebook.ipynb, README.md.

template.yaml (German keys, since lab teams read and edit it)::

    titel: KI-Posteingang
    fragestellung: Leitet ein trainierter Klassifikator Anfragen besser weiter als Schlagwortregeln?
    hypothese: Der Klassifikator erreicht einen Makro-F1 von mindestens 0,8.   # proposal for new experiments
    daten:
      datensatz: musterstadt          # default of the standard parameter `datensatz`
      tabellen: [buergeranfragen]     # tables the notebook reads; checked before a run
    parameter:
      konfidenzschwelle: {typ: float, standard: 0.8, min: 0, max: 1, beschreibung: ...}
      modell: {typ: str, standard: logreg, werte: [logreg, naive_bayes], beschreibung: ...}
    metriken:
      macro_f1: Makro-F1 über alle Ämter
      recall.*: Trefferquote je Amt     # a trailing .* declares a family
    erfolgskriterien:
      - {metrik: macro_f1, operator: ">=", schwelle: 0.8, beschreibung: ...}

Every template also has the standard parameters ``datensatz`` and ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import SandboxError
from sandbox.experiments.criteria import Criterion, parse_criteria
from sandbox.experiments.params import STANDARD_PARAMETERS, TYPES, Parameter, convert_value
from sandbox.experiments.paths import read_yaml, templates_dir

__all__ = ["Template", "load_template", "list_templates", "TEMPLATE_FILE", "NOTEBOOK_FILE"]

TEMPLATE_FILE = "template.yaml"
NOTEBOOK_FILE = "notebook.ipynb"
_REQUIRED = ("titel", "fragestellung", "daten", "metriken", "erfolgskriterien")


@dataclass(frozen=True)
class Template:
    """A parsed, validated template."""

    name: str
    path: Path
    title: str
    question: str
    hypothesis: str
    description: str
    dataset: str
    tables: tuple[str, ...]
    parameters: dict[str, Parameter]
    metrics: dict[str, str]
    criteria: list[Criterion]

    @property
    def notebook(self) -> Path:
        return self.path / NOTEBOOK_FILE

    def declares_metric(self, name: str) -> bool:
        return name in self.metrics or any(k.endswith(".*") and name.startswith(k[:-1]) for k in self.metrics)


def list_templates() -> list[Template]:
    """All templates, by name."""
    root = templates_dir()
    if not root.is_dir():
        return []
    return [load_template(p.name) for p in sorted(root.iterdir()) if (p / TEMPLATE_FILE).is_file()]


def load_template(name: str) -> Template:
    """The template ``name``; unknown or malformed templates are one clear error."""
    root = templates_dir()
    folder = root / name
    if "/" in name or name.startswith(".") or not (folder / TEMPLATE_FILE).is_file():
        known = sorted(p.name for p in root.iterdir() if (p / TEMPLATE_FILE).is_file()) if root.is_dir() else []
        raise SandboxError(f"unbekannte Vorlage {name!r}; Vorlagen: {', '.join(known) or 'keine'} "
                           f"(siehe sandbox templates list)")
    return _parse(name, folder)


def _parse(name: str, folder: Path) -> Template:
    where = str(folder / TEMPLATE_FILE)
    data = read_yaml(folder / TEMPLATE_FILE)
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise SandboxError(f"in {where} fehlt {', '.join(missing)}; zum Format siehe templates/README.md")
    if not (folder / NOTEBOOK_FILE).is_file():
        raise SandboxError(f"Vorlage {name} hat kein {NOTEBOOK_FILE} in {folder}")
    daten = data["daten"]
    if not isinstance(daten, dict) or not isinstance(daten.get("tabellen"), list):
        raise SandboxError(f"{where}: daten braucht datensatz und eine Liste tabellen")
    dataset = str(daten.get("datensatz") or STANDARD_PARAMETERS[0].default)
    parameters = {p.name: p for p in STANDARD_PARAMETERS}
    parameters["datensatz"] = Parameter("datensatz", "str", dataset, parameters["datensatz"].description)
    for pname, spec in (data.get("parameter") or {}).items():
        parameters[pname] = _parameter(str(pname), spec, where)
    metrics = data["metriken"]
    if not isinstance(metrics, dict) or not metrics:
        raise SandboxError(f"{where}: metriken muss jedem Metriknamen eine deutsche Beschreibung zuordnen")
    template = Template(
        name=name, path=folder, title=str(data["titel"]), question=str(data["fragestellung"]).strip(),
        hypothesis=str(data.get("hypothese") or "").strip(), description=str(data.get("beschreibung") or "").strip(),
        dataset=dataset, tables=tuple(str(t) for t in daten["tabellen"]), parameters=parameters,
        metrics={str(k): str(v) for k, v in metrics.items()}, criteria=parse_criteria(data["erfolgskriterien"], where),
    )
    undeclared = [c.metric for c in template.criteria if not template.declares_metric(c.metric)]
    if undeclared:
        raise SandboxError(f"{where}: erfolgskriterien nutzen nicht deklarierte Metriken {', '.join(undeclared)}; bitte unter metriken ergänzen")
    return template


def _parameter(name: str, spec: Any, where: str) -> Parameter:
    if not name.isidentifier() or name.startswith("_"):
        raise SandboxError(f"{where}: Parametername {name!r} muss ein Python-Name sein (Buchstaben, Ziffern, _)")
    if not isinstance(spec, dict) or spec.get("typ") not in TYPES or "standard" not in spec:
        raise SandboxError(f"{where}: Parameter {name} braucht typ ({', '.join(TYPES)}) und standard")
    kind = spec["typ"]
    choices = tuple(convert_value(c, kind) for c in spec.get("werte") or ())
    if None in choices:
        raise SandboxError(f"{where}: Parameter {name} hat werte, die nicht vom Typ {kind} sind")
    bounds = [spec.get(key) for key in ("min", "max")]
    if any(b is not None and (kind not in ("int", "float") or convert_value(b, "float") is None) for b in bounds):
        raise SandboxError(f"{where}: Parameter {name} darf min/max nur als Zahl und nur bei int oder float haben")
    draft = Parameter(name, kind, spec["standard"], str(spec.get("beschreibung") or ""), choices,  # type: ignore[arg-type]
                      *(None if b is None else float(b) for b in bounds))
    default = draft.coerce(spec["standard"], f"default in {where}")
    return Parameter(name, kind, default, draft.description, choices, draft.minimum, draft.maximum)
