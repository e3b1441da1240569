"""The quality gate: check a generated dataset or a user's own extract.

    check_dataset(folder)                  -> QualityReport (+ Data Docs in folder/qualitaet)
    check_extract(file, "einwohner")       -> QualityReport against the standard schema
    GenerationGate(profile)                -> the hook `generate_dataset(..., finalize=...)` calls

Everything a check consists of is assembled here from the three sources of
expectations: each table's schema (``suites``), the relations between tables
(``crosschecks``) and the profile (``distribution``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from sandbox.errors import SandboxError
from sandbox.quality.crosschecks import foreign_key_checks
from sandbox.quality.rules import named_checks
from sandbox.quality.distribution import distribution_checks
from sandbox.quality.loading import Loaded, load_dataset, load_extract, read_manifest
from sandbox.quality.overview import write_overview
from sandbox.quality.report import QualityReport
from sandbox.quality.suites import Check, table_checks
from sandbox.synth.writer import return_memory

if TYPE_CHECKING:
    from sandbox.quality.privacy import PrivacyReport
    from sandbox.quality.realism import RealismReport
    from sandbox.quality.runner import Progress

__all__ = ["check_dataset", "check_extract", "build_checks", "run_report", "GenerationGate", "DOCS_FOLDER",
           "quality_section"]

DOCS_FOLDER = "qualitaet"


def build_checks(loaded: Loaded, manifest: dict[str, Any] | None, exact: bool = True) -> tuple[list[Check], list[str]]:
    """Every check the loaded tables allow: table suites, foreign keys, named rules, profile."""
    from sandbox.synth import TABLES

    checks = [check for name, frame in loaded.frames.items()
              for check in table_checks(TABLES[name].TABLE, frame, loaded.bad_types.get(name), exact)]
    notes = list(loaded.notes)
    for builder in (foreign_key_checks, named_checks):
        more, why = builder(loaded)
        checks += more
        notes += why
    more, why = distribution_checks(loaded, manifest)
    return checks + more, notes + why


def _extra_columns(loaded: Loaded) -> list[str]:
    from sandbox.synth import TABLES

    notes = []
    for name, frame in loaded.frames.items():
        extra = [c for c in frame.columns if c not in TABLES[name].TABLE.column_names]
        if extra:
            notes.append(f"{name}: Spalten außerhalb des Schemas werden nicht geprüft: {', '.join(extra)}")
    return notes


def run_report(loaded: Loaded, manifest: dict[str, Any] | None, source: str, docs: Path | None = None,
               exact: bool = True, progress: Progress | None = None) -> QualityReport:
    """Build and run every check on loaded tables and collect the report."""
    from sandbox.quality.runner import run_checks

    checks, notes = build_checks(loaded, manifest, exact)
    findings = run_checks(checks, docs, loaded.bad_types, progress)
    if not exact:
        notes += _extra_columns(loaded)
    report = QualityReport(source=source, findings=findings, errors=dict(loaded.errors), notes=notes,
                           docs=docs if docs is not None and checks else None,
                           titles={c.name: c.title for c in checks if c.title})
    if report.docs is not None:
        write_overview(report, report.docs)
    return report


def _checksums(folder: Path, manifest: dict[str, Any], loaded: Loaded) -> list[str]:
    """Notes for table files that differ from the checksum the generator recorded."""
    from sandbox.synth.writer import sha256

    notes = []
    for name, info in (manifest.get("tables") or {}).items():
        path = folder / str(info.get("file", ""))
        if name in loaded.frames and info.get("sha256") and path.is_file() and sha256(path) != info["sha256"]:
            notes.append(f"{path.name} wurde nach der Erzeugung verändert (Prüfsumme weicht vom Manifest ab)")
    return notes


def check_dataset(folder: Path, docs: bool = True, progress: Progress | None = None) -> QualityReport:
    """Check a generated dataset folder; Data Docs go to ``folder/qualitaet`` when ``docs``.

    ``progress`` is told each step: loading the tables, every check, the Data Docs.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if progress is not None:
        progress("Tabellen laden", 0, 0)
    loaded = load_dataset(folder, manifest)
    loaded.notes += _checksums(folder, manifest, loaded)
    return run_report(loaded, manifest, folder.name, folder / DOCS_FOLDER if docs else None, progress=progress)


def check_extract(path: Path, table: str, docs: bool = True, docs_dir: Path | None = None,
                  progress: Progress | None = None) -> QualityReport:
    """Check a user's own CSV/Parquet file against the standard schema of ``table``.

    Columns beyond the schema are allowed (and named in a note); relations to
    tables that are not part of the extract are skipped with a note. Data Docs
    go to ``docs_dir``, by default ``<file>_qualitaet/`` beside the file.
    """
    path = Path(path)
    loaded = load_extract(path, table)
    if table in loaded.errors:  # one file, and it cannot be read: that is the whole answer
        raise SandboxError(loaded.errors[table])
    target = docs_dir if docs_dir is not None else path.parent / f"{path.stem}_{DOCS_FOLDER}"
    return run_report(loaded, None, path.name, target if docs else None, exact=False, progress=progress)


def quality_section(report: QualityReport) -> str:
    """The data card's section on the quality check (deterministic)."""
    total = len(report.findings)
    verdict = "bestanden" if report.passed else "**nicht bestanden**"
    lines = ["## Qualitätsprüfung", "",
             f"Bei der Erzeugung geprüft mit Great Expectations: {verdict}, {total - len(report.failures)} von "
             f"{total} Erwartungen erfüllt. Die Erwartungen sind aus den Schemas, den Beziehungen der Tabellen "
             "und dem Profil abgeleitet; `sandbox data check` wiederholt die Prüfung und schreibt die Data Docs "
             f"(ohne Internet lesbar) nach `{DOCS_FOLDER}/index.html`.", "",
             "| Tabelle | Erwartungen | erfüllt | verletzt |", "|---|---:|---:|---:|"]
    for name in report.tables():
        total_t, ok, failed = report.counts(name)
        lines.append(f"| `{name}` | {total_t} | {ok} | {failed} |")
    lines += [f"- {f.line()}" for f in report.failures]
    return "\n".join(lines) + "\n"


class GenerationGate:
    """The ``finalize`` hook of ``generate_dataset``: check, assess privacy, extend manifest and card.

    Keeps the reports so the caller can print them. The manifest gets
    deterministic summaries only (no times, no run ids), so the same seed
    still gives the same bytes.
    """

    def __init__(self, profile: str | None = None, announce: Callable[[], None] | None = None) -> None:
        self.profile = profile
        self.announce = announce
        self.report: QualityReport | None = None
        self.privacy: PrivacyReport | None = None
        self.realism: RealismReport | None = None

    def __call__(self, folder: Path, manifest: dict[str, Any]) -> list[str]:
        from sandbox.quality.privacy import assess_dataset

        if self.announce:
            self.announce()
        loaded = load_dataset(folder, manifest)
        context = dict(manifest)
        if self.profile and Path(self.profile).suffix in (".yaml", ".yml"):
            context["profile"] = self.profile  # a team's own profile file: check against that file
        self.report = run_report(loaded, context, manifest["profile"])
        return_memory()  # what one report freed is the next one's room
        self.privacy = assess_dataset(loaded, manifest)
        return_memory()
        manifest["quality"] = self.report.summary()
        manifest["privacy"] = self.privacy.summary()
        from sandbox.quality.privacy_text import privacy_markdown
        from sandbox.quality.realism import realism_loaded, write_files

        self.realism = realism_loaded(loaded, context, manifest["profile"])
        write_files(self.realism, folder)
        manifest["realism"] = self.realism.summary()
        return [quality_section(self.report), privacy_markdown(self.privacy), self.realism.markdown()]
