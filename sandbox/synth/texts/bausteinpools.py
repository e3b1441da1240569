"""Building blocks of citizens' messages as pools, and month names that fit a message's date.

Each message draws its blocks from pools keyed by concern, style or sender
type *and the month it was written in*: a block marked season-bound in
``reference/anfrage_bausteine.csv`` (column ``monate``: a summer festival,
frost damage, leaf blowers) is only drawn in its months, and month names in
the text are relative to the message's date (plans ahead, a birth behind),
so no letter announces a summer festival in December.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sandbox.synth import reference
from sandbox.synth.kalender import year_month_day
from sandbox.synth.texts.textbausteine import Pool, SlotValues, Templates

__all__ = ["Blocks", "month_slots", "SEPARATORS"]

SEPARATORS = ("", " ", "\n", "\n\n")  # what may follow a building block


def _months(spec: str) -> list[int]:
    """Months (0-11) a block fits: ``""`` all year, ``"4-9"`` April to September, ``"11-3"`` across New Year."""
    if not spec:
        return list(range(12))
    lo, hi = (int(x) - 1 for x in spec.split("-"))
    return [m % 12 for m in range(lo, hi + 1 if hi >= lo else hi + 13)]


class _Seasonal:
    """A pool keyed by (key, month): each message draws only blocks that fit the month it was written in."""

    def __init__(self, pool: Pool, month: np.ndarray) -> None:
        self.inner, self.month = pool, month

    def has(self, keys: np.ndarray) -> np.ndarray:
        return self.inner.has(np.asarray(keys, np.int64) * 12 + self.month)

    def draw(self, rng: np.random.Generator, keys: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
        return self.inner.draw(rng, np.asarray(keys, np.int64) * 12 + self.month, present)


class Blocks:
    """The building blocks as templates plus pools keyed by concern, style or sender type (and the month)."""

    def __init__(self, catalog: pd.DataFrame, month: np.ndarray) -> None:
        self.month = np.asarray(month, np.int64)
        frame = reference.load("anfrage_bausteine")
        self.frame = frame[frame.art != "monat"].reset_index(drop=True)
        self.months = pa.array(frame.text[frame.art == "monat"].tolist(), pa.string())
        self.templates = Templates.parse(self.frame.text.tolist(), SEPARATORS)
        self.sep = {s: i for i, s in enumerate(SEPARATORS)}
        self.index = {a: i for i, a in enumerate(catalog.anliegen)}
        cue = pd.to_numeric(self.frame.dringlichkeit, errors="coerce").fillna(0.0).to_numpy()
        self.cue = np.concatenate([cue, [0.0]])  # index -1 (no template) -> 0

    def pool(self, art: str, by: str) -> _Seasonal:
        """Templates of ``art`` keyed by 'anliegen' (bezug), 'stil' (0 formell, 1 locker), 'absender' or nothing.

        Season-bound blocks (column ``monate``: a summer festival, frost damage)
        are drawn only for messages written in their months.
        """
        ids, keys = [], []
        arts = (art, f"{art}_betrieb") if by == "absender" else (art,)
        for i, row in enumerate(self.frame.itertuples()):  # a few hundred blocks
            if row.art not in arts or (by == "anliegen") != bool(row.bezug):
                continue
            if by == "anliegen":
                k = [self.index[b] for b in row.bezug.split("|")]
            elif by == "stil":
                k = {"formell": [0], "locker": [1]}.get(row.stil, [0, 1])
            else:
                k = [int(row.art != art)]
            months = _months(str(row.monate or ""))
            ids += [i] * (len(k) * len(months))
            keys += [key * 12 + m for key in k for m in months]
        return _Seasonal(Pool(ids, keys, max(len(self.index), 2) * 12), self.month)



def month_slots(blocks: Blocks, rng: np.random.Generator, day: np.ndarray) -> dict[str, SlotValues]:
    """Month names that fit the message's date: {monat} one to six months ahead (plans, deadlines),
    {monat_vergangen} one to eight months back (a birth), {sommermonat} the next of June to August
    (season-bound blocks with it are only drawn up to July)."""
    month = year_month_day(day)[1] - 1
    summer = np.clip(np.maximum(month + 1, 5), 5, 7)
    return {"monat": (blocks.months, (month + rng.integers(1, 7, len(day))) % 12),
            "monat_vergangen": (blocks.months, (month - rng.integers(1, 9, len(day))) % 12),
            "sommermonat": (blocks.months, summer)}
