"""The process catalogue: services joined with their process assumptions.

`antraege`, `vorgangsereignisse`, `termine` and `buergeranfragen` generate
from it: the services of ``reference/leistungen.csv`` joined with their
process assumptions (``leistungen_prozess.csv``), their offices
(``aemter.csv``), seasonal patterns (``saisonmuster.csv``) and year effects
(``leistungen_jahreseffekte.csv``), plus the scalar assumptions of
``prozessannahmen.csv``. Those assumptions stay out of the published table
`leistungen`: a lab team should find rejection rates and backlogs in the
applications, not read them off the catalogue.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from sandbox.config import reference_dir
from sandbox.errors import SandboxError
from sandbox.synth import reference
from sandbox.synth.codes import PROZESSTYPEN
from sandbox.synth.profile import Profile

__all__ = ["katalog", "saison", "jahreseffekte", "annahme", "antragsjahre"]

_FLOATS = ("gebuehr_eur", "online_anteil", "bearbeitungstage_median", "jaehrliche_faelle_je_1000")
_PROCESS_FLOATS = ("anlass_anteil", "alter_von", "alter_bis", "anteil_post", "anteil_email", "streuung",
                   "nachforderungsquote", "ablehnungsquote", "rueckzugsquote", "gebuehr_unter_24",
                   "gebuehr_streuung", "inanspruchnahme")


def _bool(values: pd.Series, where: str) -> np.ndarray:
    text = values.str.strip().str.lower()
    bad = sorted(set(text) - {"true", "false"})
    if bad:
        raise SandboxError(f"reference/{where}.csv: Wahrheitswerte müssen true oder false sein, gefunden {bad[0]!r}")
    return (text == "true").to_numpy()


def _floats(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    return frame.assign(**{c: pd.to_numeric(frame[c].replace("", np.nan)).astype(float) for c in columns})


@lru_cache(maxsize=1)
def _catalogue_cached(ref_dir: str) -> pd.DataFrame:
    services = _floats(reference.load("leistungen"), _FLOATS)
    for col in ("online_verfuegbar", "schluessel_bestaetigt"):
        services[col] = _bool(services[col], "leistungen")
    process = reference.load("leistungen_prozess").drop(columns="quelle")
    process = _floats(process, _PROCESS_FLOATS)
    for col in ("vier_augen", "online_automatisiert"):
        process[col] = _bool(process[col], "leistungen_prozess")
    aemter = reference.load("aemter").drop(columns="quelle")
    aemter["faelle_je_sachbearbeitung"] = aemter["faelle_je_sachbearbeitung"].astype(float)
    missing = sorted(set(services.leika_schluessel) ^ set(process.leika_schluessel))
    if missing:
        raise SandboxError(f"reference/leistungen.csv und leistungen_prozess.csv widersprechen sich bei Leistung {missing[0]}; jede Leistung braucht in beiden eine Zeile")
    unknown_amt = sorted(set(services.amt) - set(aemter.amt))
    if unknown_amt:
        raise SandboxError(f"reference/leistungen.csv nennt das Amt {unknown_amt[0]!r}, das in reference/aemter.csv fehlt")
    out = services.merge(process, on="leika_schluessel", validate="one_to_one").merge(aemter, on="amt", validate="many_to_one")
    bad_type = sorted(set(out.prozesstyp) - set(PROZESSTYPEN))
    if bad_type:
        raise SandboxError(f"reference/leistungen_prozess.csv: unbekannter prozesstyp {bad_type[0]!r}; erlaubt: {', '.join(PROZESSTYPEN)}")
    patterns = set(reference.load("saisonmuster").saisonmuster)
    bad_season = sorted(set(out.saisonmuster[out.saisonmuster != ""]) - patterns)
    if bad_season:
        raise SandboxError(f"reference/leistungen_prozess.csv: unbekanntes saisonmuster {bad_season[0]!r}")
    return out.sort_values("leika_schluessel", ignore_index=True)


def katalog() -> pd.DataFrame:
    """Services with their typed process assumptions and office, one row per service, sorted by key."""
    return _catalogue_cached(str(reference_dir())).copy()


def saison(muster: pd.Series) -> np.ndarray:
    """Monthly weights (rows: services, columns: January..December), mean 1; flat where no pattern is named."""
    table = reference.load("saisonmuster").set_index("saisonmuster")
    months = [f"m{m:02d}" for m in range(1, 13)]
    weights = np.ones((len(muster), 12))
    named = (muster != "").to_numpy()
    weights[named] = table.loc[muster[named], months].astype(float).to_numpy()
    return weights / weights.mean(axis=1, keepdims=True)


def jahreseffekte(keys: pd.Series, years: np.ndarray) -> np.ndarray:
    """Volume factor per service (rows) and calendar year (columns); 1 where no effect is recorded."""
    effects = reference.load("leistungen_jahreseffekte")
    out = np.ones((len(keys), len(years)))
    row = pd.Index(keys).get_indexer(effects.leika_schluessel)
    col = pd.Index(years).get_indexer(effects.jahr.astype(int))
    ok = (row >= 0) & (col >= 0)
    out[row[ok], col[ok]] = effects.faktor.astype(float).to_numpy()[ok]
    return out


def annahme(name: str) -> float:
    """A process assumption from ``reference/prozessannahmen.csv``."""
    table = reference.load("prozessannahmen").set_index("parameter")["wert"]
    if name not in table.index:
        raise SandboxError(f"in reference/prozessannahmen.csv fehlt der Parameter {name!r}; bitte die Datei aus dem Repository wiederherstellen")
    return float(table[name])


def antragsjahre(profile: Profile) -> int:
    """Years of applications before the reference day: the assumption ``antragsjahre``, at most the event years."""
    return max(1, min(int(annahme("antragsjahre")), profile.ereignisjahre))
