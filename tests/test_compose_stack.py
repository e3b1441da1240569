"""docker-compose.yml on the real engine: least privilege, and sweeps on the stack's ``dask`` profile.

One stack for the session (:func:`tests.containers.stack`, with the dask
profile: a scheduler and two workers from the sandbox image). What is
checked is what a container or a role can actually do, not what the file
says: the file's content is checked in tests/test_compose.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.containers import Stack
from tests.experiments.conftest import PROBE_YAML, probe_notebook

pytestmark = pytest.mark.containers

LAB_PROBES = {
    "insert into synth.gemeinden default values": "InsufficientPrivilege",
    "create table synth.eigene (a int)": "InsufficientPrivilege",
    "create table public.eigene (a int)": "InsufficientPrivilege",
    "copy (select 1) to program 'id'": "InsufficientPrivilege",
    "select pg_read_file('/etc/passwd')": "InsufficientPrivilege",
    "create role neu": "InsufficientPrivilege",
}


def test_lab_role_reads_synth_and_nothing_else(stack: Stack) -> None:
    """The lab's credentials (libpq's variables) are the lab role's: it reads `synth`, writes nothing, runs no
    program on the server and cannot even connect to MLflow's database."""
    code = (
        "import json, psycopg\n"
        "con = psycopg.connect(autocommit=True)\n"
        "out = {'user': con.execute('select current_user').fetchone()[0],\n"
        "       'einwohner': con.execute('select count(*) from synth.einwohner').fetchone()[0], 'refused': {}}\n"
        f"for q in {list(LAB_PROBES)!r}:\n"
        "    try:\n"
        "        con.execute(q); out['refused'][q] = None\n"
        "    except psycopg.Error as e:\n"
        "        out['refused'][q] = type(e).__name__\n"
        "try:\n"
        "    psycopg.connect(dbname='mlflow').close(); out['mlflow'] = 'verbunden'\n"
        "except psycopg.Error as e:\n"
        "    out['mlflow'] = str(e)\n"
        "print(json.dumps(out))\n")
    found = json.loads(stack.exec_python("lab", code).strip().splitlines()[-1])
    assert found["user"] == "lab"
    assert found["einwohner"] > 1000
    assert found["refused"] == LAB_PROBES
    assert 'permission denied for database "mlflow"' in found["mlflow"]
    env = stack.container("lab").attrs["Config"]["Env"]
    assert not any(e.startswith(("POSTGRES_PASSWORD=", "MLFLOW_DB_PASSWORD=")) for e in env)
    assert not any(stack.secrets[s] in e for e in env for s in ("POSTGRES_PASSWORD", "MLFLOW_DB_PASSWORD"))


def test_mlflow_store_belongs_to_its_own_role(stack: Stack) -> None:
    import psycopg

    stack.exec_python("lab", "import mlflow; mlflow.set_experiment('rollen-test')")  # the server has migrated
    with psycopg.connect(stack.db_url()) as con:  # the superuser sees who owns what
        owner = con.execute("select datdba::regrole::text from pg_database where datname = 'mlflow'").fetchone()[0]
        lab_may = con.execute("select has_database_privilege('lab', 'mlflow', 'CONNECT'), "
                              "rolsuper or rolcreaterole or rolcreatedb from pg_roles where rolname = 'lab'").fetchone()
    with psycopg.connect(stack.db_url("mlflow", "MLFLOW_DB_PASSWORD", "mlflow")) as con:
        tables = dict(con.execute("select tablename, tableowner from pg_tables where schemaname = 'public'").fetchall())
    assert owner == "mlflow" and lab_may == (False, False)
    assert tables["runs"] == tables["experiments"] == "mlflow"


def _proc_status(container: Any) -> dict[str, str]:
    code, out = container.exec_run(["cat", "/proc/1/status"])
    assert code == 0, out
    return dict(line.split(":\t", 1) for line in out.decode().splitlines() if ":\t" in line)


def test_every_container_runs_without_capabilities_new_privileges_or_unlimited_resources(stack: Stack) -> None:
    services = ("db", "roles", "tracking", "lab", "data", "dask-scheduler", "dask-worker")
    containers = {c.name: c for s in services for c in stack.containers(s)}
    assert len(containers) == len(services) + 1  # two workers
    for name, container in containers.items():
        host = container.attrs["HostConfig"]
        assert any("no-new-privileges" in opt for opt in host.get("SecurityOpt") or []), name
        assert host["Memory"] > 0 and host["PidsLimit"] > 0, name
        if container.status == "running":  # what the main process holds: nothing, and it cannot gain anything
            status = _proc_status(container)
            assert int(status["CapEff"], 16) == 0, (name, status["CapEff"])
            assert status["NoNewPrivs"].strip() == "1", name
            if container not in stack.containers("db"):  # db's entrypoint keeps the five it adds back, unused
                assert int(status["CapBnd"], 16) == 0, (name, status["CapBnd"])
    db = _proc_status(stack.container("db"))
    assert int(db["Uid"].split()[0]) != 0  # PostgreSQL itself runs as `postgres`, after the entrypoint handed over


def _probe_template(root: Path) -> None:
    folder = root / "templates" / "probe"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(PROBE_YAML, encoding="utf-8")
    probe_notebook(folder / "notebook.ipynb")


def _sweep_runs(stack: Stack, experiment: str) -> list[Any]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"http://127.0.0.1:{stack.ports['MLFLOW_PORT']}")
    found = client.get_experiment_by_name(experiment)
    assert found is not None, experiment
    return client.search_runs([found.experiment_id], max_results=100)


def _check_sweep(stack: Stack, experiment: str, residents: int) -> None:
    """4 runs, all FINISHED, on both workers of the stack, with the probe's metrics for their coordinates."""
    from sandbox.tracking import keys

    runs = _sweep_runs(stack, experiment)
    assert sorted(r.data.tags[keys.RUN_KEY].split("/", 1)[1] for r in runs) == sorted(
        f"seed={s};profil=musterstadt;faktor={f}" for s in (1, 2) for f in (1.0, 2.0))
    assert [r.info.status for r in runs] == ["FINISHED"] * 4, [r.data.tags.get(keys.ERROR) for r in runs]
    workers = {next(iter(c.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"] for c in stack.containers("dask-worker")}
    ran_on = {r.data.tags[keys.WORKER].removeprefix("tcp://").rsplit(":", 1)[0] for r in runs}
    assert ran_on <= workers and ran_on, (ran_on, workers)
    for run in runs:
        assert run.data.metrics["einwohner"] == residents * float(run.data.tags[keys.coordinate("faktor")])
        assert run.data.metrics["seed_echo"] == int(run.data.tags[keys.SEED])


@pytest.mark.slow
def test_sweep_from_the_host_runs_on_the_stack_workers_and_logs_to_its_mlflow(
        stack: Stack, musterstadt: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host reaches scheduler and MLflow through the published loopback ports; the workers log through
    their own address of the same server (http://tracking:5000) and find the lab's copy of the dataset."""
    from sandbox import experiments

    _probe_template(tmp_path)
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{stack.ports['MLFLOW_PORT']}")
    experiments.new_experiment("stapel-host", "probe")
    results = experiments.run_experiment("stapel-host", seeds=[1, 2], grid={"faktor": ["1", "2"]},
                                         cluster=f"tcp://127.0.0.1:{stack.ports['DASK_SCHEDULER_PORT']}")
    assert [r.status for r in results] == ["FINISHED"] * 4, [r.error for r in results]
    _check_sweep(stack, "stapel-host", len(musterstadt["einwohner"]))


@pytest.mark.slow
def test_sweep_from_the_lab_on_the_schedulers_service_name(stack: Stack, musterstadt: Any, tmp_path: Path) -> None:
    """As the README tells a team: in JupyterLab's terminal, `--cluster tcp://dask-scheduler:8786`."""
    _probe_template(tmp_path)
    files = {p.name: p.read_bytes() for p in (tmp_path / "templates" / "probe").iterdir()}
    stack.exec_python("lab", "from pathlib import Path\n"
                             "folder = Path('/home/lab/work/templates/probe'); folder.mkdir(exist_ok=True)\n"
                             f"for name, data in {files!r}.items():\n"
                             "    (folder / name).write_bytes(data)\n")
    lab = stack.container("lab")
    for command in (["sandbox", "experiment", "new", "stapel-lab", "--template", "probe"],
                    ["sandbox", "experiment", "run", "stapel-lab", "--seeds", "1,2", "--grid", "faktor=1,2",
                     "--cluster", "tcp://dask-scheduler:8786"]):
        code, out = lab.exec_run(command)
        assert code == 0, out.decode("utf-8", "replace")[-3000:]
    dashboard = stack.ports["DASK_DASHBOARD_PORT"]
    assert f"Dask-Dashboard: http://127.0.0.1:{dashboard}/status" in out.decode("utf-8", "replace")
    _check_sweep(stack, "stapel-lab", len(musterstadt["einwohner"]))
