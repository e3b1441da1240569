"""The realism report: every registered measure against its reference, judged, and rendered in German.

    report = realism_dataset(folder)     # RealismReport
    report.rows                          # Kennzahl, Datensatz, amtlicher Wert, Toleranz, Quelle, Urteil
    write_files(report, folder)          # realismus.json and realismus.html beside DATENKARTE.md

A row passes when the dataset's value lies within the tolerance of the
reference, widened to four standard errors of the dataset's sample. A row
whose group is empty in this dataset is "nicht berechenbar" and fails nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.german import decimal, percent

if TYPE_CHECKING:
    from rich.table import Table as RichTable

__all__ = ["Row", "RealismReport", "UNITS", "fmt", "JSON_FILE", "HTML_FILE"]

JSON_FILE = "realismus.json"
HTML_FILE = "realismus.html"
PASS, FAIL, NONE = "im Rahmen", "abweichend", "nicht berechenbar"


def fmt(value: float | None, unit: str) -> str:
    """A value in German notation for its unit."""
    if value is None:
        return "–"
    if unit == "anteil":
        return percent(value, 1 if abs(value) >= 0.01 else 2)
    return decimal(value, 2 if unit == "verhaeltnis" else 1)


UNITS = {"anteil": "", "je_1000": " je 1.000", "je_100000": " je 100.000", "jahre": " Jahre", "personen": " Personen",
         "verhaeltnis": ""}


@dataclass(frozen=True)
class Row:
    kennzahl: str  # key
    gruppe: str
    titel: str
    datensatz: float | None
    amtlich: float
    toleranz: float  # as applied (widened by the sampling error)
    einheit: str
    art: str  # amtlich or Annahme
    quelle: str
    urteil: str

    @property
    def passed(self) -> bool:
        return self.urteil != FAIL

    def cells(self) -> tuple[str, str, str, str, str, str]:
        unit = UNITS.get(self.einheit, "")
        tol = fmt(self.toleranz, "anteil" if self.einheit == "anteil" else "jahre").replace(" Jahre", "")
        return (self.titel, fmt(self.datensatz, self.einheit) + unit, fmt(self.amtlich, self.einheit) + unit,
                f"± {tol}", self.quelle if self.quelle.startswith(self.art) else f"{self.art}: {self.quelle}", self.urteil)


@dataclass
class RealismReport:
    source: str
    profile: str
    rows: list[Row] = field(default_factory=list)

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if not r.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def headline(self) -> str:
        judged = [r for r in self.rows if r.urteil != NONE]
        verdict = "im Rahmen" if self.passed else "abweichend"
        return f"Realismus: {verdict} ({len(judged) - len(self.failures)} von {len(judged)} Kennzahlen im Rahmen der amtlichen Werte)"

    def summary(self) -> dict[str, Any]:
        """Deterministic record for manifest.json."""
        return {"passed": self.passed, "measures": len(self.rows), "outside": [r.kennzahl for r in self.failures]}

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "profile": self.profile, "passed": self.passed,
                "rows": [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(r).items()} for r in self.rows]}

    def rich_table(self) -> "RichTable":
        from rich.table import Column, Table

        table = Table("Kennzahl", Column("Datensatz", justify="right"), Column("amtlicher Wert", justify="right"),
                      Column("Toleranz", justify="right"), Column("Quelle", ratio=1, overflow="fold"), "Urteil",
                      title=f"Realismus: {self.source}", title_justify="left")
        for row in self.rows:
            cells = list(row.cells())
            cells[5] = f"[red]{cells[5]}[/red]" if not row.passed else cells[5]
            table.add_row(*cells)
        return table

    def markdown(self) -> str:
        """The data card's section (deterministic)."""
        lines = ["## Realismus", "", self.headline() + ". Verglichen mit amtlichen Zahlen oder ausgewiesenen Annahmen "
                 f"(`reference/realismus_referenz.csv`); Bericht: `{HTML_FILE}`, `{JSON_FILE}`, erneut mit "
                 "`sandbox data realism`.", "",
                 "| Kennzahl | Datensatz | amtlicher Wert | Toleranz | Quelle | Urteil |", "|---|---:|---:|---:|---|---|"]
        for row in self.rows:
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |")
        return "\n".join(lines) + "\n"
