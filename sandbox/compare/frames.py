"""A comparison's sections as pandas DataFrames, with German column names, for notebooks.

The notebook ``03_Experimente_vergleichen`` shows these step by step; the
numbers are the report's (same rounding rules left to pandas' display).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.compare import fmt
from sandbox.compare.model import Comparison

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["metrics", "criteria", "scores", "cost", "params", "lineage", "runs"]

_VERDICT = {"besser": "klar besser", "schlechter": "klar schlechter", "höher": "klar höher",
            "niedriger": "klar niedriger", "rauschen": "im Rauschen", "offen": "nicht beurteilbar"}


def metrics(c: Comparison) -> "pd.DataFrame":
    """One row per metric and subject: mean, interval, n, difference to the baseline and verdict."""
    import pandas as pd

    rows = []
    for row in c.metrics + c.own_metrics:
        for i, (s, e) in enumerate(zip(c.subjects, row.estimates)):
            if e is None:
                continue
            d = row.differences[i]
            rows.append({"Metrik": row.name, "Experiment": s.label, "Mittelwert": e.mean, "KI unten": e.low,
                         "KI oben": e.high, "Seeds": e.n,
                         "Differenz zur Basis": d.value if d else None,
                         "Urteil": _VERDICT.get(row.verdict(i) or "", "Basis" if i == 0 else "")})
    return pd.DataFrame(rows)


def criteria(c: Comparison) -> "pd.DataFrame":
    """Each subject's success criteria: rule, verdict and in how many runs met (criteria it lacks left out)."""
    import pandas as pd

    cells = [(s, row.name, row.cells[i]) for i, s in enumerate(c.subjects) for row in c.criteria]
    return pd.DataFrame([{"Experiment": s.label, "Kriterium": name, "Regel": fmt.rule(cell.rule),
                          "Ergebnis": cell.verdict, "erfüllt in Läufen": f"{cell.met} von {cell.total}"}
                         for s, name, cell in cells if cell is not None])


def scores(c: Comparison) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame({s.label: [cell.mean if cell else None for cell in (row.cells[i] for row in c.scores)]
                         for i, s in enumerate(c.subjects)}, index=[row.title for row in c.scores])


def cost(c: Comparison) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame([{"Experiment": s.label, "Läufe": k.runs, "Laufzeit je Lauf (s)": k.wall_s,
                          "CPU-Zeit je Lauf (s)": k.cpu_s, "Energie je Lauf (Wh)": k.energy_wh,
                          "CO2 je Lauf (g)": k.co2_g} for s, k in zip(c.subjects, c.costs)])


def params(c: Comparison) -> "pd.DataFrame":
    import pandas as pd

    frame = pd.DataFrame([dict(zip([s.label for s in c.subjects], row.values)) for row in c.params],
                         index=[row.name for row in c.params])
    frame["unterschiedlich"] = ["ja" if row.differs else "" for row in c.params]
    return frame


def lineage(c: Comparison) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame([{"Experiment": s.label, "Datensatz": x.dataset, "Profil": x.profile, "Daten-Seed": x.data_seed,
                          "Prüfsumme": (x.digest or "")[:16]} for s, x in zip(c.subjects, c.lineage)])


def runs(c: Comparison) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame([{"Experiment": s.label, "Lauf": r.name, "Seed": r.seed, "Status": r.status,
                          "eingerechnet": "ja" if r in s.runs else "nein", "Fehler": r.error or ""}
                         for s in c.subjects for r in (*s.runs, *s.excluded)])
