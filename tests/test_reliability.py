"""Bad and hostile input across all commands: one German line, exit 2, nothing written or replaced.

A table of inputs, each run through the real CLI in a throwaway workspace
that holds a small dataset, a non-dataset folder, hostile manifests and
profiles. After every input the whole workspace must be byte-for-byte what it
was before (no half-written dataset, no replaced folder, no stray temp folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.synth.writer import generate_dataset
from tests.support import cli

PROFILE_HEAD = "name: eigen\nbasis: sachsen\n"
BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else 'x'}]\n" for i in range(9))

#: own profile files, by file name: (content, what the error line must say)
PROFILES: dict[str, str] = {
    "gebiet_text.yaml": PROFILE_HEAD + 'gebiet: "x"\n',
    "kreise_zahl.yaml": PROFILE_HEAD + "gebiet: {kreise: 5}\n",
    "einwohner_bool.yaml": PROFILE_HEAD + "gebiet: {gemeinden: [{name: A, ags: '14522991', einwohner: true}]}\n",
    "werte_text.yaml": PROFILE_HEAD + "parameter: {religion: {quelle: Annahme, werte: 'viel'}}\n",
    "werte_liste.yaml": PROFILE_HEAD + "parameter: {religion: {quelle: Annahme, werte: [0.5, 0.5]}}\n",
    "tippfehler.yaml": PROFILE_HEAD + "gebeit: {kreise: alle}\n",
    "gruppe_unbekannt.yaml": PROFILE_HEAD + "parameter: {ereignisrate: {quelle: Annahme, werte: 1}}\n",
    "rate_negativ.yaml": PROFILE_HEAD + "parameter: {ereignisraten: {quelle: Annahme, werte: {sterbefall: -1, "
                                        "zuzug: 1, wegzug: 1, umzug: 1, eheschliessung: 1}}}\n",
    "anteil_gross.yaml": PROFILE_HEAD + "parameter: {auslaenderanteil: {quelle: Annahme, werte: 1.5}}\n",
    "name_pfad.yaml": "name: ../../ausbruch\nbasis: sachsen\n",
    "bombe.yaml": PROFILE_HEAD + BOMB,
    "liste.yaml": "- a\n- b\n",
    "syntax.yaml": "name: x\nstichtag: [offen\n",
    "stichtag.yaml": PROFILE_HEAD + "stichtag: morgen\n",
    "jahre_null.yaml": PROFILE_HEAD + "ereignisjahre: 0\n",
    "jahre_text.yaml": PROFILE_HEAD + "ereignisjahre: fünf\n",
    "kreis_unbekannt.yaml": PROFILE_HEAD + "gebiet: {kreise: ['14999']}\n",
    "basis_pfad.yaml": "name: x\nbasis: ../../etc/passwd\n",
    "altersband.yaml": PROFILE_HEAD + "parameter: {altersstruktur: {quelle: Annahme, werte: {alt: 0.5}}}\n",
    "ohne_quelle.yaml": PROFILE_HEAD + "parameter: {religion: {werte: {keine: 1.0}}}\n",
    "schluessel_fehlt.yaml": PROFILE_HEAD + "parameter: {geschlecht_weitere: {quelle: Annahme, werte: {divers: 0.1}}}\n",
    "nan.yaml": PROFILE_HEAD + "parameter: {nebenwohnung_anteil: {quelle: Annahme, werte: .nan}}\n",
}

G = ["data", "generate", "--no-check"]
CASES: list[tuple[list[str], str]] = [
    (["frobnicate"], "unbekannter Befehl 'frobnicate'"),
    (["data", "frobnicate"], "unbekannter Befehl"),
    (["data", "generate", "--sed", "1"], "unbekannte Option --sed"),
    (["data", "describe"], "es fehlt das Argument"),
    (["data", "describe", "a", "b"], "überzähliges Argument"),
    (["experiment", "run", "x", "--seeds"], "braucht einen Wert"),
    (["data", "generate", "--force=ja"], "nimmt keinen Wert"),
    (["experiment", "new", "x"], "es fehlt die Option"),
    ([*G, "--seed", "zwölf"], "--seed muss eine ganze Zahl sein"),
    ([*G, "--seed", "-1"], "--seed muss mindestens 0 sein"),
    ([*G, "--seed", "1.5"], "--seed muss eine ganze Zahl sein"),
    ([*G, "--population", "0"], "positive Einwohnerzahl"),
    ([*G, "--population", "-5"], "positive Einwohnerzahl"),
    ([*G, "--population", "1"], "zu klein"),
    ([*G, "--population", "99"], "zu klein"),
    ([*G, "--population", "900000000"], "ist größer als 20.000.000"),
    ([*G, "--population", "viele"], "--population muss eine ganze Zahl sein"),
    ([*G, "--population", ""], "--population muss eine ganze Zahl sein"),
    ([*G, "--format", "xlsx"], "unbekanntes Format 'xlsx'"),
    ([*G, "--format", ""], "unbekanntes Format"),
    ([*G, "--profile", "atlantis"], "unbekanntes Profil 'atlantis'"),
    ([*G, "--profile", "../../etc/passwd"], "unbekanntes Profil"),
    ([*G, "--profile", "/gibt/es/nicht.yaml"], "gibt es nicht"),
    *[([*G, "--profile", "{ws}/profile/" + name], "Profil") for name in PROFILES if name not in
      ("bombe.yaml", "liste.yaml", "syntax.yaml")],
    ([*G, "--profile", "{ws}/profile/bombe.yaml"], "YAML-Verweise"),
    ([*G, "--profile", "{ws}/profile/liste.yaml"], "muss eine YAML-Zuordnung enthalten"),
    ([*G, "--profile", "{ws}/profile/syntax.yaml"], "ist kein gültiges YAML"),
    ([*G, "--profile", "{ws}/profile/binaer.yaml"], "nicht UTF-8"),
    ([*G, "--population", "300", "--out", "{ws}", "--force"], "kein mit sandbox erzeugter Datensatz"),
    ([*G, "--population", "300", "--out", "{ws}/fremd", "--force"], "kein mit sandbox erzeugter Datensatz"),
    ([*G, "--population", "300", "--out", "{ws}/ds/innen"], "läge im Datensatz"),
    ([*G, "--population", "300", "--out", "{ws}/ds"], "gibt es schon; mit --force ersetzen"),
    ([*G, "--population", "300", "--out", "{ws}/datei.txt/sub"], "lässt sich nicht schreiben"),
    ([*G, "--population", "300", "--out", "{ws}/datei.txt"], "ist kein Ordner"),
    (["data", "describe", "buerger"], "unbekannte Tabelle 'buerger'"),
    (["data", "check", "gibtsnicht", "--no-docs"], "kein erzeugter Datensatz 'gibtsnicht'"),
    (["data", "check", "--table", "{ws}/e.csv", "--no-docs"], "--table DATEI und --as TABELLE gehören zusammen"),
    (["data", "check", "--table", "{ws}/fehlt.csv", "--as", "einwohner", "--no-docs"], "gibt es nicht"),
    (["data", "check", "--table", "{ws}/tabelle.xlsx", "--as", "einwohner", "--no-docs"], "unbekannter Dateityp"),
    (["data", "check", "--table", "{ws}/datei.txt", "--as", "einwohner", "--no-docs"], "lässt sich nicht als CSV lesen"),
    (["data", "check", "--table", "{ws}/e.csv", "--as", "buerger", "--no-docs"], "unbekannte Tabelle 'buerger'"),
    (["data", "check", "{ws}/manifest_liste", "--no-docs"], "nennt keine Tabellen"),
    (["data", "check", "{ws}/manifest_leer", "--no-docs"], "nennt keine Tabellen"),
    (["data", "check", "{ws}/manifest_kaputt", "--no-docs"], "lässt sich nicht lesen"),
    (["data", "check", "{ws}/fremd", "--no-docs"], "keine manifest.json"),
    (["data", "privacy", "{ws}/unvollstaendig"], "ist unvollständig, es fehlt termine.parquet"),
    (["data", "privacy", "{ws}/fremd"], "keine manifest.json"),
    (["data", "check", "--table", "{ws}/leer.csv", "--as", "einwohner", "--no-docs"], "ist leer"),
    (["data", "check", "--table", "{ws}/utf16.csv", "--as", "einwohner", "--no-docs"], "UTF-16"),
    (["data", "load", "--into", "sqlite:///x.db"], "--into muss eine PostgreSQL-Adresse sein"),
    (["data", "load", "{ws}/ds", "--into", "postgresql://u@127.0.0.1:{closed}/db?password=geheim2"], "keine Verbindung"),
    (["data", "load", "{ws}/ds", "--into", "postgresql://u:geheim@127.0.0.1:{closed}/db"], "keine Verbindung"),
    (["data", "load", "{ws}/ds", "--into", "postgresql://u@127.0.0.1/db", "--schema", "x; drop"], "--schema muss"),
    (["data", "load", "{ws}/manifest_sql", "--into", "postgresql://u@127.0.0.1:{closed}/db"], "unbekannte Tabelle"),
    (["experiment", "new", "../ausbruch", "--template", "ki-posteingang"], "kein gültiger Ordnername"),
    (["experiment", "new", "Mein Experiment", "--template", "ki-posteingang"], "kein gültiger Ordnername"),
    (["experiment", "new", "neu", "--template", "unbekannt"], "unbekannte Vorlage 'unbekannt'"),
    (["experiment", "run", "nichtda"], "kein Experiment 'nichtda'"),
    (["experiment", "run", "kaputt"], "ist kein gültiges YAML"),
    (["experiment", "run", "x", "--seeds", "1,zwei"], "--seeds erwartet ganze Zahlen"),
    (["experiment", "run", "x", "--seeds", "1099511627776"], "ist zu groß"),
    (["experiment", "run", "x", "--seeds", "1,1"], "steht zweimal"),
    (["experiment", "run", "x", "--seeds", ","], "--seeds erwartet ganze Zahlen"),
    (["experiment", "run", "x", "--param", "faktor"], "--param erwartet NAME=WERT"),
    (["experiment", "score", "x", "--file", "{ws}/fehlt.yaml"], "lässt sich nicht lesen"),
    (["experiment", "score", "x", "--file", "{ws}/profile/liste.yaml"], "muss eine YAML-Zuordnung enthalten"),
    (["up", "--jupyter-port", "0"], "--jupyter-port muss mindestens 1 sein"),
    (["up", "--mlflow-port", "70000"], "zwischen 1 und 65535"),
    (["up", "--jupyter-port", "achtacht"], "muss eine ganze Zahl sein"),
    (["up", "--jupyter-port", "5000", "--mlflow-port", "5000"], "müssen verschieden sein"),
    (["compare", "basis", "variante"], "noch keine Läufe protokolliert"),
    (["workshop", "start", "--participants", "0"], "--participants muss mindestens 1 sein"),
    (["workshop", "start", "-n", "3", "--memory", "2GB"], "--memory muss eine Größe"),
    (["workshop", "reset", "null"], "antwortet keine Container-Engine"),
]


def _snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` with the sha256 of its bytes (folders as 'dir')."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if rel.startswith("synthetic_data"):  # links to the checkout's profiles and reference files
            continue
        found[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _dataset_copy(source: Path, target: Path, manifest: object | None = None, drop: str | None = None) -> None:
    shutil.copytree(source, target)
    if manifest is not None:
        (target / "manifest.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    if drop:
        (target / drop).unlink()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("zuverlaessig")
    (ws / "synthetic_data").mkdir()
    for content in ("profiles", "reference"):
        (ws / "synthetic_data" / content).symlink_to(Path(__file__).parents[1] / "synthetic_data" / content)
    ds = generate_dataset("musterstadt", 5, population=300, out=ws / "ds")
    manifest = json.loads((ds / "manifest.json").read_text())
    _dataset_copy(ds, ws / "manifest_liste", manifest=[1, 2])
    _dataset_copy(ds, ws / "manifest_leer", manifest={**manifest, "tables": {}})
    _dataset_copy(ds, ws / "manifest_kaputt", manifest="{kein json")
    hostile = dict(manifest["tables"])
    hostile['einwohner" as select 1; copy (select 1) to \'pwned.csv\'; --'] = hostile.pop("einwohner")
    _dataset_copy(ds, ws / "manifest_sql", manifest={**manifest, "tables": hostile})
    _dataset_copy(ds, ws / "unvollstaendig", drop="termine.parquet")
    (ws / "fremd").mkdir()
    (ws / "fremd" / "notizen.txt").write_text("bleibt")
    (ws / "datei.txt").write_text("kein Ordner")
    (ws / "tabelle.xlsx").write_bytes(b"PK\x03\x04")
    (ws / "e.csv").write_text("einwohner_id;vorname\n1;Anna\n", encoding="utf-8")
    (ws / "leer.csv").write_text("")
    (ws / "utf16.csv").write_text("einwohner_id;vorname\n1;Jürgen\n", encoding="utf-16")
    (ws / "profile").mkdir()
    for name, content in PROFILES.items():
        (ws / "profile" / name).write_text(content, encoding="utf-8")
    (ws / "profile" / "binaer.yaml").write_bytes(b"name: \xff\xfe\x00kaputt\n")
    (ws / "experiments" / "kaputt").mkdir(parents=True)
    (ws / "experiments" / "kaputt" / "experiment.yaml").write_text("fragestellung: [offen\n")
    return ws


@pytest.mark.parametrize(("args", "message"), CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_bad_input_is_one_german_line_and_changes_nothing(capsys: pytest.CaptureFixture[str], workspace: Path,
                                                           monkeypatch: pytest.MonkeyPatch, args: list[str],
                                                           message: str) -> None:
    from tests.support import free_port

    monkeypatch.chdir(workspace)
    monkeypatch.setenv("SANDBOX_HOME", str(workspace))
    monkeypatch.setenv("SANDBOX_DATA", str(workspace / "generiert"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{workspace}/../mlflow-zuverlaessig.db")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{workspace}/../kein-docker.sock")
    before = _snapshot(workspace)
    closed = str(free_port())
    code, out, err = cli(capsys, *(a.replace("{ws}", str(workspace)).replace("{closed}", closed) for a in args))
    assert code == 2, (out, err)
    assert err.startswith("Fehler: ") and err.count("\n") == 1, err
    assert message in err, err
    assert "geheim" not in out + err
    assert _snapshot(workspace) == before


def test_the_table_is_large_and_distinct() -> None:
    keys = [tuple(args) for args, _ in CASES]
    assert len(keys) >= 60 and len(set(keys)) == len(keys)


def test_hostile_manifest_never_reaches_sql(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox import datasets

    monkeypatch.chdir(workspace)
    with pytest.raises(SandboxError, match="unbekannte Tabelle"):
        datasets.open(workspace / "manifest_sql").sql("select 1")
    assert not (workspace / "pwned.csv").exists() and not Path("pwned.csv").exists()


def test_quote_doubles_inner_quotes() -> None:
    from sandbox.datasets.dataset import quote

    assert quote('a"; drop table x; --') == '"a""; drop table x; --"'
    assert os.sep not in quote("einwohner")


def test_markdown_report_values_cannot_open_html_tags() -> None:
    from sandbox.compare.report import _environment

    page = _environment(False).from_string("# {{ name }}\n| {{ value | cell }} |\n").render(
        name="<script>alert(1)</script>", value="<img src=x onerror=alert(1)> a < b")
    import re

    assert not re.search(r"(?<!\\)<(script|img|/script)", page) and r"\<script>" in page and "a < b" in page


@pytest.mark.slow
def test_data_docs_pages_run_no_script(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from sandbox.quality.offline import CSP

    hostile = "<script>document.title='pwned'</script>"
    (tmp_path / "haushalte.csv").write_text(
        "haushalt_id;anschrift_id;haushaltstyp;anzahl_personen\n1;1;" + hostile + ";2\n2;1;Einpersonenhaushalt;x\n",
        encoding="utf-8")
    code, out, err = cli(capsys, "data", "check", "--table", str(tmp_path / "haushalte.csv"), "--as", "haushalte")
    assert code == 1, out + err
    pages = sorted((tmp_path / "haushalte_qualitaet").rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        head = text[text.lower().find("<head"):]
        assert head[head.find(">") + 1:].startswith(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'), page
        assert "https://" not in text.split("</head>")[0], page


def test_a_broken_experiment_folder_is_reported_and_skipped(capsys: pytest.CaptureFixture[str], workspace: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_HOME", str(workspace))
    code, out, err = cli(capsys, "experiment", "list")
    assert code == 0 and err.startswith("WARNUNG: kaputt übersprungen: ") and "Noch keine Experimente" in out


@pytest.mark.parametrize("state", ['{"services": {"mlflow": {"pid": "abc"}}}', '{"services": {"mlflow": [1, 2]}}',
                                   '{"services": {"mlflow": {"pid": 99999999999}}}', "[]", "{kaputt"])
def test_a_malformed_state_file_means_no_sandbox(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, state: str) -> None:
    (tmp_path / ".sandbox").mkdir()
    (tmp_path / ".sandbox" / "state.json").write_text(state)
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    for command in ("status", "down"):
        code, out, err = cli(capsys, command)
        assert code == 0 and err == "", (command, out, err)
