"""Same profile, seed and version give the same bytes; another seed gives other data."""

from __future__ import annotations

from pathlib import Path

from sandbox.synth import TABLES
from sandbox.synth.writer import generate_dataset
from tests.support import file_hashes


def _other_valid_order() -> list[str]:
    """A topological order that differs from the registry's: always take the last ready table."""
    done: list[str] = []
    pending = list(TABLES)
    while pending:
        ready = [t for t in pending if all(p in done for p in TABLES[t].TABLE.parents)]
        done.append(ready[-1])
        pending.remove(ready[-1])
    return done


def test_same_seed_same_bytes_in_any_order(tmp_path: Path) -> None:
    order = _other_valid_order()
    assert order != list(TABLES), "the test needs an order that differs from the registry"
    first = generate_dataset("musterstadt", 5, population=4000, out=tmp_path / "a")
    second = generate_dataset("musterstadt", 5, population=4000, out=tmp_path / "b", order=order)
    assert file_hashes(first) == file_hashes(second)
    assert set(file_hashes(first)) == {f"{t}.parquet" for t in TABLES} | {"manifest.json", "DATENKARTE.md"}


def test_other_seed_other_data(tmp_path: Path) -> None:
    first = file_hashes(generate_dataset("musterstadt", 5, population=4000, out=tmp_path / "a"))
    other = file_hashes(generate_dataset("musterstadt", 6, population=4000, out=tmp_path / "b"))
    for table in ("anschriften", "haushalte", "einwohner", "meldeereignisse", "gewerbe"):
        assert first[f"{table}.parquet"] != other[f"{table}.parquet"], table


def test_manifest_records_every_file(musterstadt) -> None:
    import hashlib

    manifest = musterstadt.manifest
    assert manifest["profile"] == "musterstadt" and manifest["seed"] == 42
    for name, info in manifest["tables"].items():
        path = musterstadt.path / info["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == info["sha256"], name
        assert info["rows"] == len(musterstadt[name])
        assert [c["name"] for c in info["columns"]] == TABLES[name].TABLE.column_names
    card = musterstadt.path / "DATENKARTE.md"
    assert hashlib.sha256(card.read_bytes()).hexdigest() == manifest["files"]["DATENKARTE.md"]

