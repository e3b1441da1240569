"""docker-compose.yml on the real engine: lab, tracking and db together, as a municipality deploys it.

The stack (:func:`tests.containers.stack`) is started once for the session
with docker-compose (the client Debian ships, 1.29; `docker compose` v2 reads
the same file), on the images the session built, with secrets in a temporary
.env file. Least privilege and the ``dask`` profile: tests/test_compose_stack.py.
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.containers import Stack

pytestmark = pytest.mark.containers

def test_services_are_up_on_loopback_ports_only(stack: Stack) -> None:
    for service in ("lab", "tracking", "db"):
        container = stack.container(service)
        assert container.status == "running", service
        published = [b for bindings in container.attrs["HostConfig"]["PortBindings"].values() for b in bindings or []]
        assert published and {b["HostIp"] for b in published} == {"127.0.0.1"}, service
    assert stack.container("data").attrs["State"]["ExitCode"] == 0


def test_lab_requires_its_token(stack: Stack) -> None:
    url = f"http://127.0.0.1:{stack.ports['JUPYTER_PORT']}/api/status"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 403
    assert stack.lab_answers()


def test_run_logged_in_lab_reaches_tracking_by_name_and_is_stored_in_postgresql(stack: Stack, tmp_path: Path) -> None:
    import psycopg

    marker = secrets.token_hex(4)
    run_id = stack.exec_python("lab", (
        "import mlflow, os\n"
        "assert os.environ['MLFLOW_TRACKING_URI'] == 'http://tracking:5000'\n"
        "mlflow.set_experiment('stack-test')\n"
        "with mlflow.start_run() as run:\n"
        f"    mlflow.log_param('marker', '{marker}')\n"
        "    mlflow.log_metric('quote', 0.75)\n"
        f"    mlflow.log_text('ergebnis {marker}', 'bericht.txt')\n"
        "print(run.info.run_id)\n")).strip().splitlines()[-1]
    with psycopg.connect(stack.db_url("mlflow", "MLFLOW_DB_PASSWORD", "mlflow")) as con:  # MLflow's own database
        rows = con.execute("select p.value, m.value from runs r join params p on p.run_uuid = r.run_uuid "
                           "join metrics m on m.run_uuid = r.run_uuid where r.run_uuid = %s and p.key = 'marker' "
                           "and m.key = 'quote'", (run_id,)).fetchall()
    assert rows == [(marker, 0.75)]
    # the artifact went through the server into its volume, and is served back to the host
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"http://127.0.0.1:{stack.ports['MLFLOW_PORT']}")
    local = client.download_artifacts(run_id, "bericht.txt", str(tmp_path))
    assert Path(local).read_text(encoding="utf-8") == f"ergebnis {marker}"
    code, listing = stack.container("tracking").exec_run(["sh", "-c", "find /home/lab/mlflow/artifacts -name bericht.txt"])
    assert code == 0 and b"bericht.txt" in listing


def test_db_holds_the_synthetic_tables_of_the_image_dataset(stack: Stack) -> None:
    import json

    import psycopg

    code, raw = stack.container("tracking").exec_run(
        ["cat", "/opt/experimentierraum/workspace/synthetic_data/generated/musterstadt-s42/manifest.json"])
    manifest = json.loads(raw)
    with psycopg.connect(stack.db_url()) as con:
        assert con.execute("select pruefsumme from synth._datensatz").fetchone()[0] == manifest["digest"]
        count = con.execute("select count(*) from synth.einwohner").fetchone()[0]
    assert count == manifest["tables"]["einwohner"]["rows"]
    # and the lab reaches it through libpq's variables (its own role), no password in code
    out = stack.exec_python("lab", "import psycopg; print(psycopg.connect().execute('select count(*) from synth.gemeinden').fetchone()[0])")
    assert int(out.strip()) == manifest["tables"]["gemeinden"]["rows"]


def test_work_survives_recreating_the_containers(stack: Stack) -> None:
    stack.exec_python("lab", "open('/home/lab/work/notebooks/meine_notiz.txt', 'w').write('bleibt')")
    before = stack.exec_python("lab", "import mlflow; print(len(mlflow.search_runs(search_all_experiments=True)))").strip()
    down = stack.compose("down")  # containers and network go, named volumes stay
    assert down.returncode == 0, down.stderr[-2000:]
    stack.up()
    assert stack.exec_python("lab", "print(open('/home/lab/work/notebooks/meine_notiz.txt').read())").strip() == "bleibt"
    after = stack.exec_python("lab", "import mlflow; print(len(mlflow.search_runs(search_all_experiments=True)))").strip()
    assert after == before and int(after) >= 1
