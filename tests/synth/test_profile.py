"""Profiles: shipped ones load; a team's own YAML works; broken ones name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sandbox.errors import SandboxError
from sandbox.synth.profile import REQUIRED_GROUPS, available_profiles, load_profile


def test_shipped_profiles_and_sizes() -> None:
    assert {"musterstadt", "landkreis", "sachsen"} <= set(available_profiles())
    assert load_profile("musterstadt").population == 25_000
    assert load_profile("landkreis").population == 250_000
    assert 4_000_000 <= load_profile("sachsen").population <= 4_200_000
    assert load_profile("sachsen", 1000).population == 1000


def test_every_group_has_a_source() -> None:
    for name in available_profiles():
        profile = load_profile(name)
        for group in REQUIRED_GROUPS:
            assert profile.quelle(group).strip(), f"{name}: {group} without quelle"


def _own(tmp_path: Path, **changes) -> Path:
    raw = {
        "name": "meinedorf",
        "basis": "sachsen",
        "gebiet": {"gemeinden": [{"name": "Meinedorf", "ags": "14628990", "einwohner": 1200}]},
    }
    raw.update(changes)
    path = tmp_path / "meinedorf.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_own_profile_file_inherits_parameters(tmp_path: Path) -> None:
    profile = load_profile(str(_own(tmp_path)))
    assert profile.name == "meinedorf" and profile.population == 1200
    assert profile.values("herkunft") == load_profile("sachsen").values("herkunft")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: x\nstichtag: [unclosed\n", "ist kein gültiges YAML"),
        ("- just\n- a list\n", "muss eine YAML-Zuordnung enthalten"),
        ("name: x\nereignisjahre: 5\ngebiet: {kreise: alle}\nparameter: {}\n", "es fehlt der Schlüssel 'stichtag'"),
        ("name: x\nstichtag: 2024-12-31\nereignisjahre: 5\ngebiet: {kreise: alle}\nparameter: {}\n", "es fehlt die Parametergruppe parameter.altersstruktur"),
        ("name: x\nbasis: sachsen\ngebiet: {kreise: ['14999']}\n", "unbekannten Kreis '14999'"),
        ("name: x\nbasis: sachsen\ngebiet: {gemeinden: [{name: A, ags: '99522990', einwohner: 5}]}\n", "'ags' muss 8 Ziffern haben"),
        ("name: x\nbasis: sachsen\ngebiet: {gemeinden: [{name: A, ags: '14522990'}]}\n", "es fehlt der Schlüssel 'einwohner'"),
        ("name: x\nbasis: sachsen\nparameter: {religion: {werte: {keine: 1.0}}}\n", "parameter.religion: es fehlt 'quelle'"),
        ("name: x\nbasis: sachsen\nereignisjahre: 0\n", "'ereignisjahre' muss eine ganze Zahl von 1 bis 30 sein"),
    ],
)
def test_broken_profile_names_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "kaputt.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SandboxError) as err:
        load_profile(str(path))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(SandboxError, match="unbekanntes Profil 'atlantis'; erlaubt: .*musterstadt"):
        load_profile("atlantis")
