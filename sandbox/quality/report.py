"""The outcome of a quality check: one finding per expectation, grouped by table.

A :class:`QualityReport` is plain data (no GX objects), so it can be printed,
recorded in ``manifest.json`` and asserted on in tests. Its summary for the
manifest holds no clock and no run id: the same data give the same summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.table import Table as RichTable

__all__ = ["Finding", "QualityReport", "show_value"]

SAMPLE = 5


def show_value(value: Any) -> str:
    """A value as a person reads it: dates without midnight, whole floats without '.0'."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={show_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(show_value(v) for v in value) + ")"
    if isinstance(value, float):
        if value != value:  # NaN
            return "leer"
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    if value is None:
        return "leer"
    text = str(value)
    if text in ("NaT", "nan", "<NA>"):
        return "leer"
    return text[:10] if text.endswith(" 00:00:00") and len(text) == 19 else text


@dataclass
class Finding:
    """The result of one expectation."""

    table: str
    check: str  # suite name in GX and the Data Docs
    label: str  # German, what is expected
    expectation: str  # GX expectation type
    success: bool
    detail: str = ""  # German: what was found (count, observed value, missing columns)
    sample: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the terminal: table, expectation, what was found, examples."""
        text = f"{self.table}: {self.label} ({self.expectation})"
        if self.detail:
            text += f": {self.detail}"
        if self.sample:
            text += "; z. B. " + "; ".join(self.sample)
        return text


@dataclass
class QualityReport:
    """All findings of a check, files that could not be read, and notes on what was skipped."""

    source: str
    findings: list[Finding] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # table -> why its file cannot be read
    notes: list[str] = field(default_factory=list)
    docs: Path | None = None
    titles: dict[str, str] = field(default_factory=dict)  # check -> what it checks, in German

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.success]

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors

    @property
    def exit_code(self) -> int:
        """0 when everything passed, 2 when input could not be read, else 1."""
        return 2 if self.errors else (1 if self.failures else 0)

    def tables(self) -> list[str]:
        order: list[str] = []
        for name in [*self.errors, *(f.table for f in self.findings)]:
            if name not in order:
                order.append(name)
        return order

    def counts(self, table: str) -> tuple[int, int, int]:
        """(expectations, passed, failed) of a table, cross-table checks included."""
        mine = [f for f in self.findings if f.table == table]
        failed = sum(not f.success for f in mine)
        return len(mine), len(mine) - failed, failed

    def summary(self) -> dict[str, Any]:
        """Deterministic record for manifest.json."""
        return {
            "passed": self.passed,
            "expectations": len(self.findings),
            "failed": len(self.failures),
            "tables": {t: dict(zip(("expectations", "passed", "failed"), self.counts(t))) for t in self.tables()},
            "failures": [{"table": f.table, "check": f.check, "expectation": f.expectation, "label": f.label,
                          "detail": f.detail} for f in self.failures],
            "unreadable": dict(self.errors),
            "notes": list(self.notes),
        }

    def rich_table(self) -> "RichTable":
        from rich.table import Column, Table

        table = Table(Column("Tabelle", no_wrap=True), Column("Erwartungen", justify="right"),
                      Column("erfüllt", justify="right"), Column("verletzt", justify="right"),
                      Column("erste Abweichung", ratio=1, overflow="fold"),
                      title=f"Qualitätsprüfung: {self.source}", title_justify="left")
        for name in self.tables():
            if name in self.errors:
                table.add_row(name, "–", "–", "–", f"[red]nicht lesbar:[/red] {self.errors[name]}")
                continue
            total, ok, failed = self.counts(name)
            first = next((f for f in self.failures if f.table == name), None)
            cell = f"{first.label}: {first.detail}" if first and first.detail else (first.label if first else "")
            table.add_row(name, str(total), str(ok), f"[red]{failed}[/red]" if failed else "0", cell)
        return table

    def lines(self) -> list[str]:
        """Plain lines after the table: every failure with examples, unreadable files, notes."""
        out = [f"nicht lesbar: {self.errors[t]}" for t in self.errors]
        out += ["FEHLER " + f.line() for f in self.failures]
        out += [f"Hinweis: {n}" for n in self.notes]
        total = len(self.findings)
        verdict = "bestanden" if self.passed else ("nicht lesbar" if self.errors else "nicht bestanden")
        out.append(f"Ergebnis: {verdict} ({total - len(self.failures)} von {total} Erwartungen erfüllt)")
        if self.docs:
            out.append(f"Data Docs (ohne Internet lesbar): {self.docs / 'index.html'}")
        return out
