"""`sandbox workshop ...` against the real engine: a workshop of three participants, start to stop.

The tests run in file order on one workshop (module fixture): reach each
JupyterLab through the proxy, check isolation and limits, log runs and
collect them, kill one participant and reset it, then stop and purge.
"""

from __future__ import annotations

import json
import re
import secrets
import ssl
import urllib.error
import urllib.request
from typing import Any, Iterator

import pytest


from tests.containers import SESSION, free_ports
from tests.support import cli

pytestmark = pytest.mark.containers

NAME = f"{SESSION}-ws{secrets.token_hex(2)}"
LABEL = f"experimentierraum.workshop={NAME}"


def http_status(url: str) -> int:
    """The status of ``url`` (through the workshop's proxy: its self-signed certificate is not checked here)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=10, context=context) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def containers(engine: Any) -> list[Any]:
    return engine.containers.list(all=True, filters={"label": LABEL})


def participant(engine: Any, pid: str) -> Any:
    return engine.containers.get(f"{NAME}-{pid}")


def run_in(container: Any, command: str) -> str:
    code, output = container.exec_run(["sh", "-c", command], user="1000:1000")
    text = output.decode("utf-8", "replace")
    assert code == 0, text
    return text


@pytest.fixture(scope="module")
def workshop(engine: Any, sandbox_image: str, proxy_image: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A started workshop of 3 with the trainer's own content folder and tight limits."""
    folder = tmp_path_factory.mktemp("ws")
    content = folder / "kurs"
    content.mkdir()
    (content / "Aufgabe_1.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                                          "nbformat_minor": 5}), encoding="utf-8")
    (content / "hinweise.md").write_text("# Hinweise\n", encoding="utf-8")
    base = free_ports(4, engine)
    sheet = folder / "zugaenge.html"
    code, _, err = cli(None, "workshop", "start", "--participants", "3", "--name", NAME, "--image", sandbox_image,
                       "--content", str(content), "--memory", "1g", "--cpus", "0.5", "--pids", "256",
                       "--proxy-image", proxy_image, "--port", str(base + 1), "--tracking-port", str(base + 4),
                       "--sheet", str(sheet))
    assert code == 0, err
    yield {"base": base, "sheet": sheet, "folder": folder, "tracking": f"http://127.0.0.1:{base + 4}"}
    cli(None, "workshop", "stop", "--name", NAME, "--purge")


def status_rows(capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    code, out, err = cli(capsys, "workshop", "status", "--name", NAME)
    assert code == 0, err
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and re.fullmatch(r"tn\d\d", cells[0]):
            rows[cells[0]] = cells
    return rows


def test_each_jupyterlab_answers_with_its_token_only(workshop: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    rows = status_rows(capsys)
    assert sorted(rows) == ["tn01", "tn02", "tn03"]
    tokens = set()
    for pid in sorted(rows):
        state, answers, _memory, url = rows[pid][1:]
        assert state == "läuft" and answers == "ja"
        port, path, token = re.fullmatch(r"https://127\.0\.0\.1:(\d+)/(tn\d\d)/lab\?token=(\S+)", url).groups()  # type: ignore[union-attr]
        assert int(port) == workshop["base"] + 1 and path == pid  # one proxy port, a path per participant
        tokens.add(token)
        api = f"https://127.0.0.1:{port}/{pid}/api/status"
        assert http_status(f"{api}?token={token}") == 200
        assert http_status(api) == 403
        assert http_status(f"{api}?token=falsch") == 403
    assert len(tokens) == 3  # every participant has their own token


def test_access_sheet_has_one_line_per_participant(workshop: dict[str, Any], engine: Any) -> None:
    sheet = workshop["sheet"].read_text(encoding="utf-8")
    links = re.findall(r'<tr><td>(tn\d\d)</td><td class="qr"><svg.*?</svg></td><td class="url"><a href="([^"]+)"', sheet, re.S)
    assert [pid for pid, _ in links] == ["tn01", "tn02", "tn03"]
    for pid, link in links:
        token = next(e.split("=", 1)[1] for e in participant(engine, pid).attrs["Config"]["Env"]
                     if e.startswith("JUPYTER_TOKEN="))
        assert link.endswith(f"token={token}")
    assert oct(workshop["sheet"].stat().st_mode & 0o777) == "0o600"


def test_limits_isolation_and_labels(workshop: dict[str, Any], engine: Any) -> None:
    for pid in ("tn01", "tn02", "tn03"):
        container = participant(engine, pid)
        host = container.attrs["HostConfig"]
        assert host["Memory"] == 2**30 and host["NanoCpus"] == 500_000_000 and host["PidsLimit"] == 256
        assert "no-new-privileges" in host["SecurityOpt"] and not host.get("CapAdd")
        assert container.attrs["Config"]["User"] == "1000:1000"
        assert container.labels["experimentierraum.teilnehmer"] == pid
        assert not any((host.get("PortBindings") or {}).values())  # reached through the proxy only
        # what the kernel enforces, seen from inside
        inside = run_in(container, "id -u; grep -E '^(CapEff|NoNewPrivs)' /proc/1/status; "
                                   "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; "
                                   "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max")
        uid, capeff, nnp, memory, pids = inside.split("\n")[:5]
        assert uid == "1000" and capeff.split()[1] == "0000000000000000" and nnp.split()[1] == "1"
        assert int(memory) == 2**30 and int(pids) == 256
    mounts = participant(engine, "tn01").attrs["Mounts"]
    assert [m["Name"] for m in mounts if m["Destination"] == "/home/lab/work"] == [f"{NAME}-tn01"]


def test_each_volume_holds_the_trainers_content_and_the_data(workshop: dict[str, Any], engine: Any) -> None:
    for pid in ("tn01", "tn02"):
        listing = run_in(participant(engine, pid), "cd /home/lab/work && ls notebooks && "
                                                  "ls synthetic_data/generated/musterstadt-s42/manifest.json templates")
        assert "Aufgabe_1.ipynb" in listing and "hinweise.md" in listing
        assert "00_Willkommen.ipynb" not in listing  # --content replaced the image's notebooks
    run_in(participant(engine, "tn01"), "echo nur-tn01 > /home/lab/work/notebooks/privat.txt")
    assert "privat.txt" not in run_in(participant(engine, "tn02"), "ls /home/lab/work/notebooks")


def test_runs_land_in_each_participants_experiment_and_collect_compares_them(
        workshop: dict[str, Any], engine: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow.tracking import MlflowClient

    from sandbox.workshop import manage

    # tn03 as a plain MLflow notebook; tn01 as the intro notebooks do, naming a shared experiment
    script = ("import mlflow\n"
              "from sandbox import tracking\n"
              "for seed in (1, 2, 3):\n"
              "    with {opener}:\n"
              "        mlflow.log_param('seed', seed)\n"
              "        mlflow.log_metric('trefferquote', 0.5 + seed / 10 + {bonus})\n")
    for pid, bonus, opener in (("tn01", 0.0, "tracking.start_run('posteingang-pilot')"),
                               ("tn03", 0.05, "mlflow.start_run()")):
        code, output = participant(engine, pid).exec_run(
            ["python", "-c", script.format(bonus=bonus, opener=opener)], user="1000:1000")
        assert code == 0, output.decode("utf-8", "replace")
    admin = manage.admin(NAME)  # the server answers nobody without credentials
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", admin.user)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", admin.password)
    client = MlflowClient(tracking_uri=workshop["tracking"])
    runs = client.search_runs([client.get_experiment_by_name(f"{NAME}-tn03").experiment_id])
    assert len(runs) == 3 and {r.data.tags["mlflow.user"] for r in runs} == {"tn03"}
    own = client.search_runs([client.get_experiment_by_name(f"{NAME}-tn01").experiment_id])
    assert len(own) == 3 and {r.data.tags["sandbox.experiment"] for r in own} == {"posteingang-pilot"}
    assert client.get_experiment_by_name("posteingang-pilot") is None  # nobody shares an experiment
    assert client.get_experiment_by_name(f"{NAME}-tn02") is not None  # created at start, still empty
    report = workshop["folder"] / "ergebnisse.json"
    code, out, err = cli(capsys, "workshop", "collect", "--name", NAME, "--out", str(report), "--format", "json",
                         "--allow-different-metrics")
    assert code == 0, err
    assert "Im Bericht: tn01, tn03" in out and "Noch ohne abgeschlossenen Lauf: tn02" in out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert f"{NAME}-tn01" in json.dumps(data) and f"{NAME}-tn03" in json.dumps(data)
    assert "trefferquote" in json.dumps(data)


def test_starting_twice_is_refused_clearly(workshop: dict[str, Any], sandbox_image: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "workshop", "start", "-n", "2", "--name", NAME, "--image", sandbox_image)
    assert code == 2 and f"Workshop '{NAME}' läuft schon" in err and err.count("\n") == 1


def test_ports_another_workshop_publishes_are_refused(workshop: dict[str, Any], sandbox_image: str, engine: Any,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    other = f"{NAME}-b"
    code, _, err = cli(capsys, "workshop", "start", "-n", "2", "--name", other, "--image", sandbox_image,
                       "--port", str(workshop["base"] + 1), "--tracking-port", str(free_ports(1, engine) + 1))
    assert code == 2 and f"Port {workshop['base'] + 1} auf 127.0.0.1 belegt" in err
    assert engine.containers.list(all=True, filters={"label": f"experimentierraum.workshop={other}"}) == []


def test_killed_participant_is_reported_and_reset_brings_it_back(
        workshop: dict[str, Any], engine: Any, capsys: pytest.CaptureFixture[str]) -> None:
    before = participant(engine, "tn02")
    run_in(before, "echo meine-arbeit > /home/lab/work/notebooks/loesung.txt && rm /home/lab/work/notebooks/hinweise.md")
    token = next(e.split("=", 1)[1] for e in before.attrs["Config"]["Env"] if e.startswith("JUPYTER_TOKEN="))
    before.kill()
    rows = status_rows(capsys)
    assert rows["tn02"][1:3] == ["beendet", "nein"] and rows["tn01"][1:3] == ["läuft", "ja"]
    code, out, err = cli(capsys, "workshop", "reset", "2", "--name", NAME)
    assert code == 0, err
    backup = re.search(r"(backup-\d{8}-\d{6})/", out).group(1)  # type: ignore[union-attr]
    after = participant(engine, "tn02")
    assert after.id != before.id and after.status == "running"
    assert http_status(f"https://127.0.0.1:{workshop['base'] + 1}/tn02/api/status?token={token}") == 200  # same URL
    listing = run_in(after, f"cd /home/lab/work && ls notebooks && echo --- && ls {backup}/notebooks && cat {backup}/notebooks/loesung.txt")
    now, kept = listing.split("---")
    assert "hinweise.md" in now and "loesung.txt" not in now  # original content is back
    assert "loesung.txt" in kept and "meine-arbeit" in kept  # the participant's work is kept in the backup
    assert status_rows(capsys)["tn02"][1:3] == ["läuft", "ja"]


def test_reset_of_unknown_participant_is_a_clear_error(workshop: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "workshop", "reset", "7", "--name", NAME)
    assert code == 2 and "hat keine/n Teilnehmer/in tn07; Teilnehmende: tn01, tn02, tn03" in err


def test_stop_removes_containers_keeps_volumes_until_purge(workshop: dict[str, Any], engine: Any,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "workshop", "stop", "--name", NAME)
    assert code == 0 and "Entfernt: 5 Container" in out  # 3 labs, MLflow, proxy
    assert containers(engine) == []
    assert not engine.networks.list(names=[f"{NAME}-netz"]) and not engine.networks.list(names=[f"{NAME}-netz-tn01"])
    volumes = {v.name for v in engine.volumes.list(filters={"label": LABEL})}
    assert {f"{NAME}-tn01", f"{NAME}-tn02", f"{NAME}-tn03", f"{NAME}-mlflow", f"{NAME}-inhalt"} == volumes
    code, out, _ = cli(capsys, "workshop", "stop", "--name", NAME)
    assert code == 0 and "nichts zu stoppen" in out
    code, out, _ = cli(capsys, "workshop", "status", "--name", NAME)
    assert code == 0 and "ist gestoppt; die Arbeitsstände von 3 Teilnehmenden sind noch da" in out
    code, _, err = cli(capsys, "workshop", "reset", "1", "--name", NAME)
    assert code == 2 and "läuft nicht" in err
    code, out, _ = cli(capsys, "workshop", "stop", "--name", NAME, "--purge")
    assert code == 0 and "5 Volumes" in out
    assert engine.volumes.list(filters={"label": LABEL}) == []
