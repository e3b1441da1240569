"""Vectorised template assembly: same text as Python formatting, typos that never touch slot values."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from sandbox.synth.texts.textbausteine import VARIANTS, Pool, Templates, assemble

TEXTS = ["Ich wohne {strasse} {hausnummer}.", "Hallo,", "Grüße aus {ort}", "Schöne Straße", "{ort}"]
SUFFIXES = ("", " ", "\n")


def _case(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    streets = pa.array(["Goethestraße", "Am Sportplatz", "Lindenweg"])
    places = pa.array(["Musterstadt", "Döbeln"])
    numbers = pa.array([str(i) for i in range(n)])
    slots = {
        "strasse": (streets, rng.integers(0, 3, n)),
        "hausnummer": (numbers, np.arange(n)),
        "ort": (places, rng.integers(0, 2, n)),
    }
    base = np.where(rng.random((n, 4)) < 0.7, rng.integers(0, len(TEXTS), (n, 4)), -1)
    suffix = rng.integers(0, len(SUFFIXES), (n, 4))
    return slots, base, suffix


def _expected(slots, base, suffix, row: int, variant: int = 0) -> str:
    values = {name: vals[int(idx[row])].as_py() for name, (vals, idx) in slots.items()}
    parts = []
    for t, s in zip(base[row], suffix[row]):
        if t >= 0:
            literal = VARIANTS[variant](TEXTS[t] + SUFFIXES[s])
            parts.append(literal.format(**values))  # slot names survive every variant (lower case, ASCII)
    return "".join(parts)


def test_assembly_equals_python_formatting_in_any_chunking() -> None:
    slots, base, suffix = _case(500)
    templates = Templates.parse(TEXTS, SUFFIXES)
    components = templates.with_suffix(base, suffix)
    small = assemble(templates, components, slots, chunk=7).to_pylist()
    large = assemble(templates, components, slots).to_pylist()
    assert small == large == [_expected(slots, base, suffix, i) for i in range(500)]


def test_spelling_variants_apply_to_templates_not_to_slot_values() -> None:
    slots, base, suffix = _case(200, seed=1)
    templates = Templates.parse(TEXTS, SUFFIXES)
    variant = np.arange(200) % len(VARIANTS)
    out = assemble(templates, templates.with_suffix(base, suffix), slots, variant=variant).to_pylist()
    assert out == [_expected(slots, base, suffix, i, int(variant[i])) for i in range(200)]
    assert any(v >= 2 and "Goethestraße" in t for v, t in zip(variant, out))  # ASCII spelling spares the street


def test_typos_change_only_template_letters() -> None:
    slots, base, suffix = _case(2000, seed=2)
    base[:, 0] = 0  # every row quotes street and house number
    templates = Templates.parse(TEXTS, SUFFIXES)
    components = templates.with_suffix(base, suffix)
    typos = np.where(np.arange(2000) % 2 == 0, 2, 0)
    clean = assemble(templates, components, slots).to_pylist()
    arrow = assemble(templates, components, slots, typos=typos, rng=np.random.default_rng(3), chunk=300)
    for chunk in arrow.chunks:
        chunk.validate(full=True)  # offsets consistent, UTF-8 valid
    noisy = arrow.to_pylist()
    changed = [a != b for a, b in zip(clean, noisy)]
    assert not any(changed[1::2])  # rows without typos are untouched
    assert np.mean(changed[0::2]) > 0.8
    for row, (a, b) in enumerate(zip(clean, noisy)):
        street = slots["strasse"][0][int(slots["strasse"][1][row])].as_py()
        assert f"{street} {row}" in b  # slot values stay exact
        assert abs(len(a) - len(b)) <= 2


def test_pool_draws_only_templates_of_the_rows_key() -> None:
    pool = Pool(template_ids=[10, 11, 12, 13], keys=[0, 0, 2, 2], n_keys=3)
    keys = np.array([0, 1, 2] * 300)
    drawn = pool.draw(np.random.default_rng(0), keys)
    assert set(drawn[keys == 0]) == {10, 11} and set(drawn[keys == 2]) == {12, 13}
    assert (drawn[keys == 1] == -1).all()
    assert (pool.draw(np.random.default_rng(0), keys, present=np.zeros(len(keys), bool)) == -1).all()


def test_missing_slot_values_are_named() -> None:
    templates = Templates.parse(TEXTS)
    with pytest.raises(KeyError, match="ort"):
        assemble(templates, np.array([[2]]), {"strasse": (pa.array(["x"]), np.zeros(1, int)),
                                              "hausnummer": (pa.array(["1"]), np.zeros(1, int))})
