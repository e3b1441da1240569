"""Experiments: ``experiments/<name>/`` with experiment.yaml, notebook.ipynb, README.md.

``new_experiment`` copies a template into a new folder (the notebook without
outputs, and the files it reads beside itself, such as rule tables) and
writes an experiment.yaml the team then edits: Fragestellung, Hypothese,
team, the template, the dataset, parameter values and success criteria. The
folder is built under a hidden temporary name and renamed into place when
complete, so a failed ``new`` leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.errors import SandboxError
from sandbox.experiments.criteria import Criterion, parse_criteria
from sandbox.experiments.paths import check_name, experiments_dir, read_yaml
from sandbox.experiments.templates import NOTEBOOK_FILE, TEMPLATE_FILE, Template, load_template

__all__ = ["Experiment", "new_experiment", "load_experiment", "list_experiments", "EXPERIMENT_FILE"]

EXPERIMENT_FILE = "experiment.yaml"
_HEADER = """\
# Experiment {name}, angelegt am {date} aus der Vorlage {template}.
# Passen Sie Fragestellung, Hypothese, Team, Parameter und Erfolgskriterien an.
# Starten: sandbox experiment run {name} [--param NAME=WERT ...] [--seeds 1,2,3]
"""


@dataclass(frozen=True)
class Experiment:
    """A parsed experiment.yaml and its folder."""

    name: str
    path: Path
    title: str
    question: str
    hypothesis: str
    team: list[str]
    template: str
    dataset: str
    parameters: dict[str, Any]
    criteria: list[Criterion]
    created: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def notebook(self) -> Path:
        return self.path / NOTEBOOK_FILE

    def settings(self) -> dict[str, Any]:
        """Parameter values as written in experiment.yaml, the dataset included."""
        return {"datensatz": self.dataset, **self.parameters}


def load_experiment(name: str, root: Path | None = None) -> Experiment:
    """The experiment ``name`` in ``root`` (default: the workspace's experiments/)."""
    root = root or experiments_dir()
    folder = root / name
    if "/" in name or name.startswith(".") or not (folder / EXPERIMENT_FILE).is_file():
        known = ", ".join(e.name for e in list_experiments(root)) or "noch keine"
        raise SandboxError(f"kein Experiment {name!r} in {root} (Experimente: {known}); "
                           f"anlegen mit: sandbox experiment new {name} --template VORLAGE")
    return _parse(name, folder)


def list_experiments(root: Path | None = None, problems: list[str] | None = None) -> list[Experiment]:
    """All readable experiments in ``root``, by name; a broken folder is skipped and its error added to ``problems``."""
    root = root or experiments_dir()
    if not root.is_dir():
        return []
    found: list[Experiment] = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not (folder / EXPERIMENT_FILE).is_file():
            continue
        try:
            found.append(_parse(folder.name, folder))
        except SandboxError as exc:
            if problems is not None:
                problems.append(f"{folder.name} übersprungen: {exc}")
    return found


def _parse(name: str, folder: Path) -> Experiment:
    where = str(folder / EXPERIMENT_FILE)
    data = read_yaml(folder / EXPERIMENT_FILE)
    missing = [key for key in ("fragestellung", "vorlage", "datensatz") if not data.get(key)]
    if missing:
        raise SandboxError(f"in {where} fehlt {', '.join(missing)}")
    team = data.get("team") or []
    parameters = data.get("parameter") or {}
    if not isinstance(team, list) or not isinstance(parameters, dict):
        raise SandboxError(f"{where}: team muss eine Liste sein und parameter eine Zuordnung NAME: WERT")
    known = {"titel", "fragestellung", "hypothese", "team", "vorlage", "datensatz", "parameter",
             "erfolgskriterien", "angelegt"}
    return Experiment(
        name=name, path=folder, title=str(data.get("titel") or name), question=str(data["fragestellung"]).strip(),
        hypothesis=str(data.get("hypothese") or "").strip(), team=[str(t) for t in team],
        template=str(data["vorlage"]), dataset=str(data["datensatz"]), parameters=dict(parameters),
        criteria=parse_criteria(data.get("erfolgskriterien"), where), created=str(data.get("angelegt") or ""),
        extra={k: v for k, v in data.items() if k not in known},
    )


def new_experiment(name: str, template: str, root: Path | None = None) -> Experiment:
    """Create ``root/name`` from ``template``; errors leave nothing behind."""
    check_name(name, "Experimentname")
    spec = load_template(template)
    root = root or experiments_dir()
    target = root / name
    if target.exists():
        raise SandboxError(f"Experiment {name!r} gibt es schon in {target}; bitte einen anderen Namen wählen")
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=root))
    except OSError as exc:
        raise SandboxError(f"{target} lässt sich nicht anlegen ({exc.strerror}); bitte die Rechte des Ordners prüfen") from None
    try:
        (tmp / EXPERIMENT_FILE).write_text(_render_yaml(name, spec), encoding="utf-8")
        (tmp / NOTEBOOK_FILE).write_text(_clean_notebook(spec.notebook), encoding="utf-8")
        (tmp / "README.md").write_text(_render_readme(name, spec), encoding="utf-8")
        for extra in _companions(spec):
            shutil.copy2(extra, tmp / extra.name)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return load_experiment(name, root)


def _companions(spec: Template) -> list[Path]:
    """Files the notebook reads beside itself (rule tables, keyword lists), copied with it."""
    skip = {TEMPLATE_FILE, NOTEBOOK_FILE, "README.md"}
    return sorted(p for p in spec.path.iterdir() if p.is_file() and p.name not in skip and not p.name.startswith("."))


def _render_yaml(name: str, spec: Template) -> str:
    import yaml

    today = dt.date.today().isoformat()
    body = {
        "titel": f"{spec.title}: {name}",
        "fragestellung": spec.question,
        "hypothese": spec.hypothesis or "Formulieren Sie, was Sie erwarten und woran Sie es messen.",
        "team": ["Name (Rolle, Amt)"],
        "vorlage": spec.name,
        "datensatz": spec.dataset,
        "parameter": {k: p.default for k, p in spec.parameters.items() if k != "datensatz"},
        "erfolgskriterien": [c.to_yaml() for c in spec.criteria],
        "angelegt": today,
    }
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
    return _HEADER.format(name=name, date=today, template=spec.name) + text


def _clean_notebook(path: Path) -> str:
    """The template notebook without outputs, so an experiment starts clean."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def _render_readme(name: str, spec: Template) -> str:
    criteria = "\n".join(f"- `{c}`: {c.description}" for c in spec.criteria)
    return f"""# Experiment {name}

Vorlage: **{spec.title}** (`templates/{spec.name}/`)

**Fragestellung:** {spec.question}

Hypothese, Team, Parameter und Erfolgskriterien stehen in `experiment.yaml`.

## Erfolgskriterien

{criteria}

## Ausführen

```
sandbox experiment run {name}                      # ein Lauf mit den Werten aus experiment.yaml
sandbox experiment run {name} --seeds 1,2,3        # ein MLflow-Lauf je Seed
sandbox experiment run {name} --param NAME=WERT    # einen Parameter für diesen Lauf ändern
sandbox experiment list                            # letzte Ergebnisse aller Experimente
```

Jeder Lauf landet in MLflow im Experiment `{name}`: Parameter, Metriken, erfüllte
Erfolgskriterien, der Datensatz mit Prüfsumme, das ausgeführte Notebook, der Git-Stand.
`notebook.ipynb` lässt sich auch direkt in JupyterLab ausführen; dann gelten die Werte
der Parameterzelle und die Ergebnisse erscheinen nur im Notebook.
"""
