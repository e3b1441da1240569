"""Partnerships as a process: who lives with whom, who married when, who is widowed or divorced.

Couples are not paired by age rank: each man who lives with a partner looks
for a woman about ``altersabstand`` years younger (mean about three years,
with spread, some wives older). Marital status then follows from each
person's life course, cohort by cohort:

- married couples married at an age drawn from their cohort's first-marriage
  age (``erstheirat_kohorte.csv``: GDR cohorts married early);
- of the people not married today, the share never married follows from the
  cohort's share ever married; the others lost their spouse by death (the
  spouse's survival by the Sterbetafel, so far more widows than widowers) or
  by divorce (``partnerschaften.scheidung_anteil`` over the marriage, less
  for marriages before 1980), minus those who remarried;
- the divorced never exceed what that life course gives (ever married x
  divorced x not remarried): where the couple matching left more people
  unmarried than the cohort figures expect (a small village), the rest stay
  single instead of all being called divorced;
- a divorce is dated inside the marriage (:func:`years_since_divorce`).

The functions take and return arrays for whole populations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import numpy as np

from sandbox.synth.population import demografie

__all__ = ["FAMILIENSTAND_CODES", "LEDIG", "VERHEIRATET", "VERWITWET", "GESCHIEDEN", "LEBENSPARTNERSCHAFT",
           "desired_partner_age", "marriage_age", "unmarried_status", "divorce_share", "years_since_divorce",
           "registered_partnerships"]

#: XMeld familienstand codes, index = the generator's status number
FAMILIENSTAND_CODES = ("LD", "VH", "VW", "GS", "EA", "LP", "LV", "LA", "LE", "NB")
LEDIG, VERHEIRATET, VERWITWET, GESCHIEDEN, LEBENSPARTNERSCHAFT = 0, 1, 2, 3, 5
_SPREAD = 4.5  # years: standard deviation of the age at first marriage inside a cohort (Annahme)
_DIVORCE_FACTOR_1960 = 0.3  # divorce share of 1960 marriages relative to those since 1980 (Annahme)
#: years a marriage lasts before a divorce, exponential mean (Annahme, calibrated so that the divorced residents'
#: divorce dates give about 1.46 divorces per 1,000 a year, Statistisches Landesamt Sachsen 2022)
_DIVORCE_AFTER = 60.0


def desired_partner_age(rng: np.random.Generator, man_age: np.ndarray, gap: Mapping[str, Any]) -> np.ndarray:
    """The age a man's partner would have: his age minus a gap ~ N(mittel, streuung)."""
    drawn = rng.normal(float(gap["mittel"]), float(gap["streuung"]), len(man_age))
    return np.maximum(np.round(man_age - drawn).astype(np.int64), 18)


def _cdf(x: np.ndarray) -> np.ndarray:
    """Standard normal distribution function (logistic approximation, error < 0.01)."""
    return 1.0 / (1.0 + np.exp(-1.702 * x))


def marriage_age(rng: np.random.Generator, age: np.ndarray, birth_year: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Age at marriage for people married today: their cohort's first-marriage age, never above today's age.

    A draw above today's age means the marriage is recent: it is placed a
    few months to years back (exponential, mean 3.5 years), never before 18.
    """
    mean, _ = demografie.first_marriage(birth_year, sex)
    drawn = rng.normal(mean, _SPREAD)
    recent = age - rng.exponential(3.5, len(age))
    return np.clip(np.where(drawn <= age, drawn, recent), 18.0, np.maximum(age, 18.0))


def unmarried_status(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, birth_year: np.ndarray,
                     married_share: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Status (LEDIG, VERWITWET, GESCHIEDEN) and years since it began, for adults not married today.

    ``married_share`` is, per person, the share married among people of the
    same age and sex in this population: the never-married share among the
    unmarried is (1 - ever married) / (1 - married).
    """
    mean, ever = demografie.first_marriage(birth_year, sex)
    ever_by_now = ever * _cdf((age - mean) / _SPREAD)
    never = np.clip((1.0 - ever_by_now) / np.maximum(1.0 - married_share, 1e-6), 0.0, 1.0)
    duration = np.maximum(age - mean, 0.0)
    gap = float(params["altersabstand"]["mittel"])
    spouse_sex = 1 - np.asarray(sex, dtype=np.int64)
    spouse_now = np.round(np.where(sex == 1, age + gap, age - gap)).astype(np.int64)
    spouse_then = np.maximum(spouse_now - np.round(duration).astype(np.int64), 0)
    died = 1.0 - demografie.survival(spouse_then, spouse_now, spouse_sex)
    mean_duration = float(params["scheidung_mittlere_dauer"])
    z = (age - mean) / _SPREAD  # years married of those married by now: mean of the truncated marriage-age normal
    married_for = np.maximum(age - mean + _SPREAD * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi) / np.maximum(_cdf(z), 1e-6), 0.0)
    divorced = divorce_share(birth_year + mean, params) * (1.0 - np.exp(-married_for / mean_duration))
    widowed_stays = died * (1.0 - divorced) * (1.0 - float(params["wiederheirat_verwitwete"]))
    divorced_stays = divorced * (1.0 - float(params["wiederheirat_geschiedene"]))
    p_widowed = widowed_stays / np.maximum(widowed_stays + divorced_stays, 1e-12)
    p_w = (1.0 - never) * p_widowed
    p_d = np.minimum((1.0 - never) * (1.0 - p_widowed), ever_by_now * divorced_stays / np.maximum(1.0 - married_share, 1e-6))
    u = rng.random(len(age))
    status = np.where(u < p_w, VERWITWET, np.where(u < p_w + p_d, GESCHIEDEN, LEDIG))
    since = rng.random(len(age)) * np.maximum(duration, 0.5)
    since = np.where(status == GESCHIEDEN, years_since_divorce(rng, married_for), since)
    return status.astype(np.int64), np.where(status == LEDIG, 0.0, since)


def divorce_share(marriage_year: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """Share of the marriages of a year that end in divorce: ``scheidung_anteil`` for marriages since 1980.

    Older marriages were divorced less often (Annahme, angelehnt an die
    zusammengefasste Scheidungsziffer: in den 1960er Jahren etwa ein Drittel so hoch
    wie seit den 1980er Jahren); the share rises linearly from
    ``_DIVORCE_FACTOR_1960`` of it in 1960 to all of it in 1980.
    """
    factor = np.clip(_DIVORCE_FACTOR_1960 + (np.asarray(marriage_year, dtype=float) - 1960.0) / 20.0
                     * (1.0 - _DIVORCE_FACTOR_1960), _DIVORCE_FACTOR_1960, 1.0)
    return float(params["scheidung_anteil"]) * factor


def years_since_divorce(rng: np.random.Generator, married_for: np.ndarray) -> np.ndarray:
    """Years since a divorce: the marriage lasted T years, T ~ Exp(``_DIVORCE_AFTER``) below the years married.

    A divorce is not at a uniform point of a life: earlier years of a
    marriage carry a little more of them, and divorcees who divorced long
    ago have often remarried. The mean is chosen so that the divorce dates
    of the divorced residents give about the yearly divorce rate of Saxony.
    """
    span = np.maximum(married_for, 0.5)
    lasted = -_DIVORCE_AFTER * np.log1p(-rng.random(len(span)) * (1.0 - np.exp(-span / _DIVORCE_AFTER)))
    return np.clip(span - lasted, 0.0, span)


def registered_partnerships(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, spouse: np.ndarray,
                             status: np.ndarray, years: np.ndarray, stichtag: dt.date, params: dict) -> None:
    """Same-sex couples: some registered a Lebenspartnerschaft (2001-2017), some married (since October 2017).

    A partnership registered before October 2017 and not converted stays LP;
    the others are marriages (VH). Updates the arrays in place.
    """
    spouse[a], spouse[b] = -1, -1
    status[a], status[b] = LEDIG, LEDIG
    registered = rng.random(len(a)) < float(params["gleichgeschlechtlich_eingetragen_anteil"])
    a, b = a[registered], b[registered]
    start, marriage_law = dt.date(2001, 8, 1), dt.date(2017, 10, 1)
    span = (stichtag - start).days
    day = start.toordinal() + (rng.random(len(a)) * span).astype(np.int64)
    before = day < marriage_law.toordinal()
    stays_lp = before & (rng.random(len(a)) < float(params["lebenspartnerschaft_nicht_umgewandelt"]))
    code = np.where(stays_lp, LEBENSPARTNERSCHAFT, VERHEIRATET)
    since = (stichtag.toordinal() - day) / 365.2425
    spouse[a], spouse[b] = b, a
    status[a], status[b] = code, code
    years[a], years[b] = since, since
