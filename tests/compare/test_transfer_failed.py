"""`sandbox compare --transfer`: a municipality type whose runs all failed gives no evidence, and says so.

Real runs in a temporary MLflow store: ``probe@grossstadt`` and
``probe@musterstadt`` finished, every run of ``probe@landgemeinde`` failed.
"""

from __future__ import annotations

import pytest

from sandbox import compare
from sandbox.compare import report
from tests.compare.conftest import log_failed, log_runs
from tests.support import cli

FAILED = "in landgemeinde alle Läufe fehlgeschlagen: keine Aussage"


@pytest.fixture(scope="module")
def probe(store: str) -> str:
    for profile, bonus in (("grossstadt", 0.0), ("musterstadt", 0.01)):
        log_runs(f"probe@{profile}", {"trefferquote": [0.80 + bonus, 0.81 + bonus, 0.82 + bonus],
                                      "fehlerquote": [0.10, 0.11, 0.12]},
                 None, criteria={"trefferquote": (0.7, ">=")})
    for seed in (1, 2, 3):
        log_failed("probe@landgemeinde", None, seed, {})
    log_failed("einzeln@grossstadt", None, 1, {})
    log_runs("einzeln@musterstadt", {"trefferquote": [0.8, 0.9, 0.85]}, None)
    return "probe"


def test_failed_profile_is_named_in_every_judgement_and_nothing_is_called_transferable(probe: str) -> None:
    c = compare.compare([], out="-", transfer=probe).comparison
    assert [s.label for s in c.subjects] == ["probe@grossstadt", "probe@musterstadt"]
    assert c.transfer and all(t.judgement.endswith(FAILED) and len(t.holds) == 2 for t in c.transfer)
    criterion = next(t for t in c.transfer if t.kind == "Kriterium")
    assert criterion.holds == (True, True) and criterion.judgement == f"übertragbar, soweit belegt; {FAILED}"
    assert any(FAILED in n.text and n.level == "mittel" for n in c.notices)
    assert FAILED in report.render(c, "md") and FAILED in report.render(c, "html")
    line = compare.transfer_evidence(probe)["uebertragbarkeit"]
    assert line.startswith("Beleg aus den Läufen auf mehreren Kommunentypen: 0 von 1 Erfolgskriterien") and FAILED in line


def test_fewer_than_two_profiles_with_finished_runs_is_one_german_error(probe: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "compare", "--transfer", "einzeln")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "abgeschlossene Läufe nur in musterstadt; in grossstadt alle Läufe fehlgeschlagen: keine Aussage" in err
