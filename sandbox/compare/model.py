"""What a comparison holds: one row type per report section, one cell per compared subject.

Every tuple of cells is in the order of the subjects; the first subject is the
baseline the others are measured against. :mod:`sandbox.compare.analysis`
fills these from MLflow, :mod:`sandbox.compare.report` renders them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sandbox.compare.scorecard import Scorecard
from sandbox.compare.sources import Subject
from sandbox.compare.stats import Difference, Estimate

__all__ = ["MetricRow", "ParamRow", "CriterionCell", "CriterionRow", "ScoreSummary", "ScoreRow", "Cost", "Lineage",
           "Notice", "Assumption", "Contrast", "Recommendation", "TransferRow",
           "Comparison"]


@dataclass(frozen=True)
class MetricRow:
    """A metric every subject recorded; ``better`` is "hoch", "niedrig" or None (direction unknown)."""

    name: str
    better: str | None
    estimates: tuple[Estimate | None, ...]
    differences: tuple[Difference | None, ...]  # None for the baseline
    label: str | None = None  # German label from the template's ``metriken``

    @property
    def title(self) -> str:
        """The German label, else the logged name."""
        return self.label or self.name

    @property
    def constant(self) -> bool:
        """Every run of every subject logged the same value (a count of test cases, say): shown, not judged."""
        values = {v for e in self.estimates if e is not None for v in e.values}
        runs = sum(e.n for e in self.estimates if e is not None)
        return len(values) == 1 and runs > 1 and all(e is not None for e in self.estimates)

    def verdict(self, index: int) -> str | None:
        """Subject ``index`` against the baseline: "besser", "schlechter", "höher", "niedriger" (clear of
        noise), "rauschen" (interval includes 0), "offen" (a side has one run), None (no difference)."""
        d = self.differences[index]
        if d is None:
            return None
        if d.clear is None:
            return "offen"
        if not d.clear:
            return "rauschen"
        if self.better is None:
            return "höher" if d.value > 0 else "niedriger"
        return "besser" if (d.value > 0) == (self.better == "hoch") else "schlechter"


@dataclass(frozen=True)
class ParamRow:
    name: str
    values: tuple[str, ...]
    differs: bool
    label: str | None = None  # the template's ``beschreibung`` of the parameter


@dataclass(frozen=True)
class CriterionCell:
    """A success criterion in one subject: rule, in how many runs it was met, mean logged value."""

    rule: str
    met: int
    total: int
    value: float | None

    @property
    def verdict(self) -> str:
        if self.met == self.total:
            return "erfüllt"
        return "nicht erfüllt" if self.met == 0 else "teilweise erfüllt"


@dataclass(frozen=True)
class CriterionRow:
    name: str
    cells: tuple[CriterionCell | None, ...]
    label: str | None = None

    @property
    def title(self) -> str:
        return self.label or self.name

    @property
    def same_rule(self) -> bool:
        """Every subject that has this criterion judged it by the same rule (so "erfüllt" means the same)."""
        return len({cell.rule for cell in self.cells if cell is not None}) <= 1


@dataclass(frozen=True)
class ScoreSummary:
    """Grades of one criterion over evaluators: mean, range and standard deviation."""

    mean: float
    low: float
    high: float
    sd: float
    n: int


@dataclass(frozen=True)
class ScoreRow:
    key: str
    title: str
    cells: tuple[ScoreSummary | None, ...]


@dataclass(frozen=True)
class Cost:
    """Time and energy per run (means over the averaged runs) and for all of them together."""

    runs: int
    wall_s: float | None
    cpu_s: float | None
    energy_wh: float | None
    co2_g: float | None
    total_wall_s: float | None
    total_energy_wh: float | None


@dataclass(frozen=True)
class Lineage:
    digest: str | None
    dataset: str | None
    profile: str | None
    data_seed: str | None


@dataclass(frozen=True)
class Notice:
    """A warning shown above the report; level "hoch" (red), "mittel" (amber) or "info"."""

    level: str
    text: str


@dataclass(frozen=True)
class Assumption:
    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class Contrast:
    """One subject against the baseline, metric by metric, in words."""

    label: str
    better: tuple[str, ...]
    worse: tuple[str, ...]
    same: tuple[str, ...]  # interval of the difference includes 0
    open: tuple[str, ...]  # a side has a single run, or the better direction is unknown


@dataclass(frozen=True)
class Recommendation:
    choice: int  # index of the recommended subject (0: stay with the baseline)
    headline: str
    certainty: str  # "belastbar", "vorläufig" or "offen"
    reasons: tuple[str, ...]
    trade_off: str | None
    drivers: tuple[str, ...]
    changes: tuple[str, ...]
    contrasts: tuple[Contrast, ...]


@dataclass(frozen=True)
class TransferRow:
    """One criterion or metric over the profiles: where it holds, and the judgement in words."""

    kind: str  # "Kriterium" or "Metrik"
    name: str
    title: str
    holds: tuple[bool | None, ...]  # per profile; None: not assessable
    judgement: str  # "übertragbar", "nur in …", "nicht übertragbar", "nicht beurteilbar"


@dataclass(frozen=True)
class Comparison:
    subjects: tuple[Subject, ...]
    metrics: tuple[MetricRow, ...]  # shared by all subjects, compared with the baseline
    own_metrics: tuple[MetricRow, ...]  # recorded by some subjects only: shown, not compared
    params: tuple[ParamRow, ...]
    criteria: tuple[CriterionRow, ...]
    scores: tuple[ScoreRow, ...]
    cards: tuple[tuple[Scorecard, ...], ...]
    costs: tuple[Cost, ...]
    lineage: tuple[Lineage, ...]
    same_data: bool | None
    notices: tuple[Notice, ...]
    power: Assumption
    grid: Assumption
    tracking_uri: str
    created: dt.datetime
    summary: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    constants: tuple[MetricRow, ...] = ()  # equal in every run of every subject: shown as constants, not compared
    command: str = ""  # the shell command that makes this report again
    recommendation: Recommendation | None = None
    transfer: tuple[TransferRow, ...] = ()  # set when the subjects are one experiment on several profiles

    @property
    def baseline(self) -> Subject:
        return self.subjects[0]

    @property
    def names(self) -> list[str]:
        return [s.label for s in self.subjects]
