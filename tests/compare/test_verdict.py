"""The report's bottom line: Empfehlung with trade-off and driver, German labels, human numbers, honest charts."""

from __future__ import annotations

import json
import re

import pytest

from sandbox import compare
from sandbox.compare import charts, fmt, report
from sandbox.compare.verdict import effect
from sandbox.german import significant
from tests.compare.conftest import log_runs

SEEDS = (1, 2, 3, 4, 5)
POSTEINGANG = "ki-posteingang"  # a real template: its metriken give the labels


@pytest.fixture(scope="module")
def runs(store: str, musterstadt) -> None:
    """Two thresholds of one classifier: 0.9 forwards fewer messages automatically but gets them righter."""
    common = {"macro_f1": [0.8, 0.81, 0.79, 0.8, 0.8], "testnachrichten": [759] * 5,
              "recall.Buergerbuero": [0.9, 0.91, 0.9, 0.92, 0.9]}
    log_runs("schwelle-08", {**common, "automatisch_anteil": [0.62, 0.6, 0.61, 0.63, 0.62],
                             "automatisch_accuracy": [0.93, 0.94, 0.93, 0.92, 0.93]}, musterstadt, seeds=SEEDS,
             params={"konfidenzschwelle": 0.8, "modell": "logreg"}, template=POSTEINGANG,
             criteria={"automatisch_accuracy": (0.95, ">="), "automatisch_anteil": (0.5, ">="),
                       "macro_f1": (0.75, ">=")})
    log_runs("schwelle-09", {**common, "automatisch_anteil": [0.45, 0.44, 0.46, 0.45, 0.47],
                             "automatisch_accuracy": [0.97, 0.98, 0.97, 0.97, 0.98]}, musterstadt, seeds=SEEDS,
             params={"konfidenzschwelle": 0.9, "modell": "logreg"}, template=POSTEINGANG,
             criteria={"automatisch_accuracy": (0.95, ">="), "automatisch_anteil": (0.4, ">="),
                       "macro_f1": (0.75, ">=")})
    log_runs("prognose", {"mae": [3.0, 3.2, 3.1]}, musterstadt, template="nachfrageprognose")


def test_recommendation_names_trade_off_driver_and_what_would_change_it(runs) -> None:
    c = compare.compare(["schwelle-08", "schwelle-09"], out="-").comparison
    r = c.recommendation
    # automatisch_anteil is judged at different thresholds (0.5 vs 0.4): it does not count, so 0.9 wins on
    # automatisch_accuracy (1 of 2 same-rule criteria against 0 of 2)
    assert r.choice == 1 and r.headline == "Empfohlen: schwelle-09 statt schwelle-08."
    assert r.certainty == "vorläufig"  # a trade-off remains
    assert r.trade_off.startswith("Abwägung: schwelle-09 ist besser bei Anteil richtig geleiteter unter den "
                                  "automatisch weitergeleiteten Nachrichten, aber schlechter bei Anteil der Nachrichten")
    assert "um 16 Prozentpunkte (0,454 statt 0,616)" in r.trade_off and "erheblich niedriger" in r.trade_off
    assert r.drivers == ("Ab dieser Sicherheit des Klassifikators wird eine Nachricht automatisch weitergeleitet "
                         "(konfidenzschwelle): 0,9 statt 0,8",)
    assert any("unterschiedlichen Schwellen" in line and "≥ 0,5" in line and "≥ 0,4" in line for line in r.reasons)
    assert any(line.startswith("Wiegt Anteil der Nachrichten") for line in r.changes)
    contrast = r.contrasts[0]
    assert contrast.better == ("Anteil richtig geleiteter unter den automatisch weitergeleiteten Nachrichten: "
                               "leicht höher, um 4,4 Prozentpunkte (0,974 statt 0,93)",)
    assert "Makro-F1 über alle Ämter (Klassifikator)" in contrast.same
    assert "Trefferquote Buergerbuero (Klassifikator)" in contrast.same


def test_constants_are_shown_not_judged(runs) -> None:
    c = compare.compare(["schwelle-08", "schwelle-09"], out="-").comparison
    assert [row.name for row in c.constants] == ["testnachrichten"]
    assert "testnachrichten" not in [row.name for row in c.metrics]
    md = report.render(c, "md")
    assert "Zahl der Testnachrichten = 759" in md and "im Rauschen bei testnachrichten" not in md


def test_report_reads_german_and_has_no_scientific_notation(runs) -> None:
    c = compare.compare(["schwelle-08", "schwelle-09"], out="-").comparison
    for text in (report.render(c, "md"), report.render(c, "html")):
        assert "## Empfehlung (vorläufig)" in text or "Empfehlung <span" in text
        assert not re.search(r"\d[eE][+-]\d", re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text))
        assert "Anteil richtig geleiteter unter den automatisch weitergeleiteten Nachrichten" in text
        assert re.search(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr \(MES?Z\)", text) and " UTC" not in text
        assert "0,9" in text and "| 0.9 |" not in text  # parameter values with a decimal comma


def test_criteria_with_different_thresholds_are_not_counted(runs) -> None:
    c = compare.compare(["schwelle-08", "schwelle-09"], out="-").comparison
    rows = {row.name: row for row in c.criteria}
    assert not rows["automatisch_anteil"].same_rule and rows["macro_f1"].same_rule
    assert any("Nicht mitgezählt, weil die Schwellen verschieden sind: Anteil der Nachrichten" in line
               for line in c.summary)


def test_reproduce_command_reproduces(runs) -> None:
    c = compare.compare(["schwelle-08", "prognose"], out="-", allow_different_metrics=True).comparison
    assert c.command == "sandbox compare schwelle-08 prognose --allow-different-metrics"
    assert "Neu erstellen mit <code>sandbox compare schwelle-08 prognose --allow-different-metrics</code>" in \
        report.render(c, "html")
    assert charts.metrics_chart(c) is None  # no shared metric: no chart of empty panels
    assert json.loads(report.render(c, "json"))["command"] == c.command


def test_effects_in_words_and_a_tie_keeps_the_baseline(runs) -> None:
    c = compare.compare(["schwelle-08", "schwelle-09"], out="-").comparison
    row = next(r for r in c.metrics if r.name == "macro_f1")
    assert row.verdict(1) == "rauschen"
    assert effect(row, 1) == "Makro-F1 über alle Ämter (Klassifikator): praktisch gleich (0,8 statt 0,8)"
    same = compare.compare(["schwelle-08", "schwelle-08-seed1"], out="-").comparison.recommendation
    assert same.choice == 0 and same.certainty == "offen"


def test_numbers_for_people() -> None:
    assert significant(0.000878) == "0,000878" and significant(-1.11e-16) == "0"
    assert fmt.signed(8.78e-4, scale=0.87) == "+0,0009" and fmt.signed(-1.11e-16, scale=0.87) == "±0"
    assert fmt.interval(-1e-17, 0.00264, sign=True, scale=0.87) == "±0 bis +0,0026"
    assert fmt.value("0.8") == "0,8" and fmt.value("logreg") == "logreg" and fmt.value("12") == "12"


@pytest.mark.parametrize("values, expected", [
    ([0.7, 0.82], (0.0, 1.0, False)),  # a share with a readable difference: the whole scale
    ([0.8656, 0.868], None),  # a tiny difference: zoomed in, the cut is marked
    ([100.0, 180.0], (0.0, 180.0 + 80 * 0.15, False)),  # counts start at 0
])
def test_axes_start_where_a_reader_expects_or_mark_the_cut(values, expected) -> None:
    left, right, cut = charts.axis_range(values)
    if expected is None:
        assert cut and 0.86 < left < 0.8656 and right > 0.868
    else:
        assert (left, right, cut) == pytest.approx(expected)
