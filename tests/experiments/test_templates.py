"""`sandbox templates list` and reading template.yaml (the shipped templates: tests/test_templates.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import experiments
from sandbox.errors import SandboxError
from tests.experiments.conftest import PROBE_YAML
from tests.support import cli


def test_templates_list(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "templates", "list")
    assert code == 0 and "probe" in out and "einwohner >= 1000" in out


@pytest.mark.parametrize("change, expected", [
    (("typ: float", "typ: zahl"), "braucht typ"),
    (("standard: 1.5", "standard: viel"), "muss eine Zahl sein"),
    (("metrik: einwohner,", "metrik: unbekannt,"), "nicht deklarierte Metriken unbekannt"),
    (("operator: \">=\"", "operator: \"=>\""), "Operator '=>'"),
    (("titel: Probe\n", ""), "fehlt titel"),
    (("[a, b]", "[a, b"), "kein gültiges YAML"),
])
def test_malformed_template_is_one_clear_error(home: Path, change: tuple[str, str], expected: str) -> None:
    path = home / "templates" / "probe" / "template.yaml"
    path.write_text(PROBE_YAML.replace(*change, 1), encoding="utf-8")
    with pytest.raises(SandboxError) as info:
        experiments.load_template("probe")
    assert expected in str(info.value) and "template.yaml" in str(info.value)
