"""Hand a notebook's results to the runner: ``experiments.record(metrics, tables)``.

A template notebook ends with one call::

    from sandbox import experiments
    experiments.record({"macro_f1": 0.87, "accuracy": 0.9}, tables={"je_amt": df})

Under ``sandbox experiment run`` the runner sets ``SANDBOX_RUN_OUTPUT`` to a
folder before it starts the kernel; ``record`` writes ``ergebnis.json`` and
one CSV per table there, and the runner (outside the kernel) logs them to
MLflow with the executed notebook. Run interactively in JupyterLab the
variable is unset: ``record`` only shows the metrics, with the success
criteria of the experiment.yaml or template.yaml beside the notebook. The
notebook itself never talks to MLflow, so it stays thin and runs anywhere.
Several calls merge; a later value for the same metric wins.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["record", "read_record", "metric_name", "Record", "OUTPUT_ENV", "RESULT_FILE"]

OUTPUT_ENV = "SANDBOX_RUN_OUTPUT"
RESULT_FILE = "ergebnis.json"
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


@dataclass(frozen=True)
class Record:
    """What a notebook recorded: metrics, table files and the kernel's CPU seconds."""

    metrics: dict[str, float]
    tables: list[Path]
    cpu_seconds: float | None


def metric_name(text: str) -> str:
    """``"Recall Bürgerbüro"`` -> ``"Recall_Buergerbuero"``: a name MLflow accepts everywhere."""
    name = re.sub(r"[^A-Za-z0-9_.\-/]+", "_", str(text).translate(_UMLAUTS)).strip("_")
    if not name:
        raise ValueError(f"Metrikname {text!r} enthält keine Buchstaben oder Ziffern")
    return name


def _numbers(metrics: Mapping[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in metrics.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"Metrik {key!r} muss eine Zahl sein, nicht {value!r}") from None
        if math.isinf(number):
            raise ValueError(f"Metrik {key!r} ist unendlich; bitte eine endliche Zahl oder NaN protokollieren")
        out[metric_name(key)] = number
    return out


def record(metrics: Mapping[str, Any], tables: Mapping[str, "pd.DataFrame"] | None = None) -> "pd.DataFrame":
    """Record ``metrics`` (name -> number) and ``tables`` (name -> DataFrame) of this run.

    Returns the metrics as a table, with the success criteria found beside the
    notebook, so that the last cell shows the result.
    """
    values = _numbers(metrics)
    tables = dict(tables or {})
    for key in tables:
        if not _TABLE_NAME.match(key):
            raise ValueError(f"Tabellenname {key!r} darf nur Buchstaben, Ziffern, - oder _ enthalten (er wird ein Dateiname)")
    target = os.environ.get(OUTPUT_ENV)
    if target:
        _write(Path(target), values, tables)
    return _summary(values)


def _write(folder: Path, values: dict[str, float], tables: Mapping[str, "pd.DataFrame"]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RESULT_FILE
    previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    merged = {**previous.get("metrics", {}), **values}
    names = sorted(set(previous.get("tables", [])) | {f"{key}.csv" for key in tables})
    for key, frame in tables.items():
        frame.to_csv(folder / f"{key}.csv", index=any(n is not None for n in frame.index.names))
    data = {"metrics": merged, "tables": names, "cpu_seconds": time.process_time()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=True), encoding="utf-8")
    tmp.replace(path)


def _summary(values: dict[str, float]) -> "pd.DataFrame":
    import pandas as pd

    from sandbox.experiments.criteria import evaluate

    frame = pd.DataFrame({"Metrik": list(values), "Wert": list(values.values())})
    criteria = _local_criteria()
    if criteria:
        outcomes = {o.criterion.metric: o for o in evaluate(criteria, values)}
        frame["Erfolgskriterium"] = [str(outcomes[m].criterion) if m in outcomes else "" for m in frame["Metrik"]]
        frame["erfüllt"] = [("ja" if outcomes[m].met else "nein") if m in outcomes else "" for m in frame["Metrik"]]
    return frame


def _local_criteria() -> list[Any]:
    """Success criteria of the experiment.yaml or template.yaml in the working folder, if any."""
    from sandbox.experiments.criteria import parse_criteria
    from sandbox.experiments.paths import read_yaml

    for name in ("experiment.yaml", "template.yaml"):
        path = Path.cwd() / name
        if path.is_file():
            try:
                return parse_criteria(read_yaml(path).get("erfolgskriterien"), str(path))
            except SandboxError:
                return []
    return []


def read_record(folder: Path) -> Record | None:
    """The record a notebook wrote into ``folder``, or None if it never called ``record``."""
    path = folder / RESULT_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Record({k: float(v) for k, v in data["metrics"].items()}, [folder / n for n in data.get("tables", [])],
                  data.get("cpu_seconds"))
