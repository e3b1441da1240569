"""Vectorised text assembly from templates with slots, plus typing noise.

Free-text tables (citizens' messages) are built from a few hundred sentence
templates such as ``"Ich wohne in der {strasse} {hausnummer}."``. Formatting
millions of messages one by one in Python would take minutes, so a message is
handled as a row of template ids instead. Every template is parsed once into
tokens (literal text or a slot); the tokens of all messages are expanded with
numpy into one index array into a single Arrow string array holding the
literals and the slot values; one ``take`` then lays all pieces out back to
back, and because the pieces of a message are adjacent, its text is a plain
byte range of that buffer: no join, no per-row Python.

Typing noise works on the same buffer: letters are swapped, dropped or
doubled at random byte positions that fall inside literal pieces, so slot
values (a street, an Aktenzeichen) are never corrupted. Lower-case writing
and missing umlauts are literal *variants*: the literal vocabulary exists in
a few spellings and a message picks one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa

__all__ = ["Templates", "Pool", "SlotValues", "VARIANTS", "assemble"]

_SLOT = re.compile(r"\{(\w+)\}")
_UMLAUT_AE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_UMLAUT_DROP = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U", "ß": "ss"})

#: spellings of the literal vocabulary; index 0 is the text as written
VARIANTS: tuple[Callable[[str], str], ...] = (
    lambda s: s,
    str.lower,
    lambda s: s.translate(_UMLAUT_AE),
    lambda s: s.translate(_UMLAUT_DROP),
    lambda s: s.lower().translate(_UMLAUT_AE),
)

#: (values, index per message): the slot's text for message i is values[index[i]]
SlotValues = tuple[pa.Array, np.ndarray]


@dataclass(frozen=True)
class Templates:
    """Templates parsed into tokens; a token is a literal id or a slot id.

    Every template exists once per suffix (separators such as a space or a
    blank line), so a sentence and the separator after it are one piece of
    text: template ``i`` with suffix ``j`` has id ``i * len(suffixes) + j``.
    """

    texts: tuple[str, ...]
    suffixes: tuple[str, ...]
    slots: tuple[str, ...]
    literals: tuple[str, ...]
    tok_start: np.ndarray
    tok_count: np.ndarray
    tok_literal: np.ndarray  # literal id, -1 for a slot token
    tok_slot: np.ndarray  # slot id, -1 for a literal token

    @classmethod
    def parse(cls, texts: Sequence[str], suffixes: Sequence[str] = ("",)) -> "Templates":
        literals: dict[str, int] = {}
        slots: dict[str, int] = {}
        starts, counts, lit, slot = [], [], [], []
        for text in (t + s for t in texts for s in suffixes):  # a few hundred templates, not one per row
            starts.append(len(lit))
            parts = _SLOT.split(text)  # literal, slot, literal, slot, ...
            for i, part in enumerate(parts):
                if i % 2:
                    lit.append(-1)
                    slot.append(slots.setdefault(part, len(slots)))
                elif part:
                    lit.append(literals.setdefault(part, len(literals)))
                    slot.append(-1)
            counts.append(len(lit) - starts[-1])
        return cls(tuple(texts), tuple(suffixes), tuple(slots), tuple(literals), np.array(starts, np.int64),
                   np.array(counts, np.int64), np.array(lit, np.int64), np.array(slot, np.int64))

    def with_suffix(self, template: np.ndarray, suffix: np.ndarray | int = 0) -> np.ndarray:
        """Ids of templates followed by suffix number ``suffix`` (-1 stays -1)."""
        template = np.asarray(template)
        return np.where(template >= 0, template * len(self.suffixes) + suffix, -1).astype(np.int32)


class Pool:
    """Templates grouped by an integer key; draws one template per row for the row's key."""

    def __init__(self, template_ids: Sequence[int], keys: Sequence[int], n_keys: int) -> None:
        ids = np.asarray(template_ids, dtype=np.int32)
        key = np.asarray(keys, dtype=np.int64)
        order = np.argsort(key, kind="stable")
        self.ids = ids[order]
        self.counts = np.bincount(key, minlength=n_keys)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])

    def has(self, keys: np.ndarray) -> np.ndarray:
        return self.counts[keys] > 0

    def draw(self, rng: np.random.Generator, keys: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
        """A template id per row (-1 where the row's key has no template or ``present`` is false)."""
        keys = np.asarray(keys, dtype=np.int64)
        count = self.counts[keys]
        pick = self.starts[keys] + np.floor(rng.random(len(keys)) * count).astype(np.int64)
        out = np.where(count > 0, self.ids[np.minimum(pick, len(self.ids) - 1)], -1)
        return out if present is None else np.where(present, out, -1)


def _source(templates: Templates, slots: Mapping[str, SlotValues]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """One string array: every literal in every variant, then the values of every slot."""
    parts = [pa.array([variant(s) for s in templates.literals], pa.string()) for variant in VARIANTS]
    variant_offset = np.arange(len(VARIANTS), dtype=np.int64) * len(templates.literals)
    slot_offset = np.zeros(len(templates.slots), dtype=np.int64)
    at = len(VARIANTS) * len(templates.literals)
    for i, name in enumerate(templates.slots):
        if name not in slots:
            raise KeyError(f"templates use slot {{{name}}} but no values were given for it")
        values = slots[name][0].cast(pa.string())
        slot_offset[i] = at
        at += len(values)
        parts.append(values)
    return pa.concat_arrays(parts), variant_offset, slot_offset


def _offsets(arr: pa.Array) -> np.ndarray:
    return np.frombuffer(arr.buffers()[1], np.int32, len(arr) + 1, arr.offset * 4).astype(np.int64)


def _bytes(arr: pa.Array) -> np.ndarray:
    return np.frombuffer(arr.buffers()[2], np.uint8) if arr.buffers()[2] is not None else np.zeros(0, np.uint8)


def assemble(
    templates: Templates,
    components: np.ndarray,
    slots: Mapping[str, SlotValues],
    variant: np.ndarray | None = None,
    typos: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
    chunk: int = 250_000,
) -> pa.ChunkedArray:
    """Texts of ``len(components)`` rows; row i concatenates templates ``components[i]`` (-1 = skip).

    ``variant`` picks a spelling from :data:`VARIANTS` per row; ``typos`` is the
    number of letter typos per row (needs ``rng``). Work is done in chunks of
    rows so temporary arrays stay small at millions of rows.
    """
    n = len(components)
    source, variant_offset, slot_offset = _source(templates, slots)
    src_off, src_data = _offsets(source), _bytes(source)
    slot_index = np.stack([np.asarray(slots[s][1], dtype=np.int32) for s in templates.slots]) if templates.slots else np.zeros((0, n), np.int32)
    variant = np.zeros(n, np.int64) if variant is None else np.asarray(variant, np.int64)
    chunks = []
    for a in range(0, n, chunk):
        b = min(a + chunk, n)
        rows, cols = np.nonzero(components[a:b] >= 0)
        tids = components[a:b][rows, cols].astype(np.int64)
        cnt = templates.tok_count[tids]
        ends = np.cumsum(cnt)
        tok = np.repeat(templates.tok_start[tids] - (ends - cnt), cnt) + np.arange(int(ends[-1]) if len(ends) else 0)
        row = np.repeat(rows, cnt)
        lit, slot = templates.tok_literal[tok], templates.tok_slot[tok]
        is_lit = lit >= 0
        piece = np.empty(len(tok), np.int64)
        piece[is_lit] = variant_offset[variant[a + row[is_lit]]] + lit[is_lit]
        sl = slot[~is_lit]
        piece[~is_lit] = slot_offset[sl] + slot_index[sl, a + row[~is_lit]]
        first_piece = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=b - a))])
        chunk_source = source
        if typos is not None and rng is not None and np.any(typos[a:b] > 0):
            sites = _typo_sites(rng, piece, is_lit, src_off, src_data, first_piece, np.asarray(typos[a:b]))
            chunk_source = pa.concat_arrays([source, _misspell(rng, source.take(pa.array(piece[sites[0]])), sites[1])])
            piece[sites[0]] = len(source) + np.arange(len(sites[0]))
        pieces = chunk_source.take(pa.array(piece))
        offsets = _offsets(pieces)[first_piece]
        chunks.append(pa.StringArray.from_buffers(b - a, pa.py_buffer(offsets.astype(np.int32)), pieces.buffers()[2]))
    return pa.chunked_array(chunks, pa.string())


def _letter(byte: np.ndarray) -> np.ndarray:
    return (byte >= 97) & (byte <= 122)  # a-z: editing ASCII keeps UTF-8 valid


def _typo_sites(rng: np.random.Generator, piece: np.ndarray, is_literal: np.ndarray, src_off: np.ndarray,
                src_data: np.ndarray, first_piece: np.ndarray, per_row: np.ndarray, candidates: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Where to put up to ``per_row[i]`` typos in row i: (piece occurrence, byte inside the piece).

    Random bytes of the row are tried; a byte qualifies when it is a lower-case
    ASCII letter followed by a different one inside the same literal piece (so
    a swap changes the text). One edit per piece occurrence at most.
    """
    length = src_off[piece + 1] - src_off[piece]
    p_off = np.concatenate([[0], np.cumsum(length)])
    row_start, row_end = p_off[first_piece[:-1]], p_off[first_piece[1:]]
    noisy = np.flatnonzero((per_row > 0) & (row_end - row_start > 1))
    pos = row_start[noisy][:, None] + np.floor(rng.random((len(noisy), candidates)) * (row_end - row_start - 1)[noisy][:, None]).astype(np.int64)
    occ = np.searchsorted(p_off, pos, side="right") - 1
    within = pos - p_off[occ]
    ok = is_literal[occ] & (within + 1 < length[occ])
    at = src_off[piece[occ]] + np.where(ok, within, 0)
    following = src_data[np.minimum(at + 1, len(src_data) - 1)]
    ok &= _letter(src_data[at]) & _letter(following) & (src_data[at] != following)
    ok &= np.cumsum(ok, axis=1) <= per_row[noisy][:, None]
    occ, within = occ[ok], within[ok]
    occ, first = np.unique(occ, return_index=True)
    return occ, within[first]


def _misspell(rng: np.random.Generator, strings: pa.Array, within: np.ndarray) -> pa.Array:
    """One edit per string at byte ``within[i]``: swap with the next letter, drop it, or double it."""
    off, data = _offsets(strings), _bytes(strings)
    pos = off[:-1] + within
    kind = rng.choice(3, size=len(pos), p=[0.4, 0.3, 0.3])
    out = data[: off[-1]].copy()
    swap = pos[kind == 0]
    out[swap], out[swap + 1] = data[swap + 1], data[swap]
    double, drop = pos[kind == 2], pos[kind == 1]
    out = np.delete(np.insert(out, double, out[double]), drop + np.searchsorted(double, drop, side="right"))
    delta = np.where(kind == 2, 1, np.where(kind == 1, -1, 0))
    new_off = off + np.concatenate([[0], np.cumsum(delta)])
    return pa.StringArray.from_buffers(len(strings), pa.py_buffer(new_off.astype(np.int32)), pa.py_buffer(out))
