"""`experiments.record` in a notebook: shown interactively, handed to the runner under `sandbox experiment run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import experiments
from sandbox.experiments.record import OUTPUT_ENV, read_record


def test_record_writes_merges_and_shows_criteria(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    (tmp_path / "experiment.yaml").write_text(
        "erfolgskriterien:\n  - {metrik: recall.Buergerbuero, operator: '>=', schwelle: 0.5}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(OUTPUT_ENV, raising=False)
    shown = experiments.record({"recall Bürgerbüro": 0.4})
    assert list(shown["Metrik"]) == ["recall_Buergerbuero"] and list(shown.get("erfüllt", [])) == [""]
    shown = experiments.record({"recall.Bürgerbüro": 0.6})
    assert list(shown["erfüllt"]) == ["ja"]
    assert read_record(tmp_path) is None  # interactive: nothing written
    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path / "out"))
    experiments.record({"a": 1, "b": 2}, tables={"t": pd.DataFrame({"x": [1]})})
    experiments.record({"b": 3.5, "c": float("nan")})
    rec = read_record(tmp_path / "out")
    assert rec.metrics["a"] == 1 and rec.metrics["b"] == 3.5 and rec.metrics["c"] != rec.metrics["c"]
    assert [p.name for p in rec.tables] == ["t.csv"] and (tmp_path / "out" / "t.csv").read_text() == "x\n1\n"
    with pytest.raises(ValueError, match="muss eine Zahl sein"):
        experiments.record({"a": "hoch"})
    with pytest.raises(ValueError, match="Tabellenname"):
        experiments.record({}, tables={"../x": pd.DataFrame()})
