"""Write a twin in the standard data contract, so it opens like any generated dataset.

One Parquet file for the twin's table, ``manifest.json`` with the sha256 of
every file and a ``twin`` section (budget, mechanism, versions, the input as
hashes, the gate's decision), ``DATENKARTE.md`` with the privacy statement,
and the release report. The folder is written beside the target and renamed
into place when complete, with the writer of :mod:`sandbox.synth.writer`;
``--force`` replaces only a folder that holds a twin.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from sandbox.errors import SandboxError
from sandbox.synth.files import write_table
from sandbox.synth.placement import check_target, swap_into_place, temporary_folder
from sandbox.synth.writer import DATA_CARD, FORMAT_VERSION, MANIFEST, sha256

if TYPE_CHECKING:
    import pyarrow as pa

    from sandbox.twin.domain import Domain

__all__ = ["write_twin", "write_reports", "render_card", "PROFILE"]

PROFILE = "zwilling"  # the manifest's profile of every twin


def _check_replaceable(target: Path, force: bool) -> None:
    if target.exists() and force:
        try:
            manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        if "twin" not in manifest:
            raise SandboxError(f"{target} ist kein Zwilling; --force ersetzt nur einen Zwilling, wählen Sie ein "
                               "anderes --out")


def render_card(domain: "Domain", twin: Mapping[str, Any], rows: int, statement: str) -> str:
    """The German data card of a twin."""
    lines = [f"# Datenkarte: synthetischer Zwilling `{domain.table}`", "",
             "Dieser Datensatz ist **synthetisch**: ein Modell, unter Differential Privacy aus einem echten Auszug "
             "gelernt, hat ihn erzeugt. Keine Zeile entspricht einer echten Person; Häufigkeiten und Zusammenhänge "
             "sind angenähert, seltene Kombinationen können fehlen oder erfunden sein.", "",
             "## Datenschutz", "", statement, "",
             f"Entscheidung des Prüfschritts: **{twin['entscheidung']}**"
             + (f" (übersteuert: „{twin['uebersteuerung']}“)" if twin.get("uebersteuerung") else "")
             + ". Einzelheiten im FREIGABEBERICHT.md.", "",
             f"## Tabelle `{domain.table}` ({rows} Zeilen)", "", "| Spalte | Art | Herkunft der Werte |", "|---|---|---|"]
    lines += [f"| {c.name} | {c.kind} | {c.origin} |" for c in domain.columns]
    lines += ["", "Zahlen und Daten wurden innerhalb ihrer Klasse oder ihres Zeitraums gleichmäßig gezogen: "
              "genauer als die Klasse ist kein Wert.", ""]
    return "\n".join(lines)


def write_reports(folder: Path, reports: Mapping[str, str]) -> dict[str, str]:
    """Write the report files into ``folder``; their sha256 by name."""
    out = {}
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
        out[name] = sha256(folder / name)
    return out


def write_twin(target: Path, table: "pa.Table", domain: "Domain", twin: dict[str, Any], card: str,
               reports: Mapping[str, str], force: bool = False) -> Path:
    """Write the twin dataset atomically into ``target`` and return it."""
    from sandbox import __version__

    target = Path(target)
    _check_replaceable(target, force)
    target = check_target(target, force)
    tmp = temporary_folder(target)
    try:
        path = write_table(table, tmp, domain.table, "parquet")
        info = {"file": path.name, "rows": table.num_rows, "sha256": sha256(path),
                "columns": [{"name": c.name, "dtype": c.dtype, "nullable": c.nullable} for c in domain.columns]}
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION, "generator_version": __version__, "profile": PROFILE,
            "seed": twin["seed"], "population": table.num_rows, "stichtag": twin["erzeugt"], "format": "parquet",
            "digest": hashlib.sha256(f"{domain.table}:{info['sha256']}\n".encode()).hexdigest(),
            "tables": {domain.table: info}, "twin": twin,
        }
        manifest["files"] = write_reports(tmp, {DATA_CARD: card, **reports})
        write_reports(tmp, {MANIFEST: json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"})
        swap_into_place(tmp, target)
    except BaseException:  # nothing half-written: the temporary folder goes, an earlier twin stays
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
