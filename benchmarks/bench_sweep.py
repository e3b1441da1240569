"""Sweep benchmark: a 16-run sweep one after another vs on a LocalCluster with 2 workers.

Run by hand (figures go to README.md), never as a test:

    .venv/bin/python benchmarks/bench_sweep.py                          # light notebook, ~1.5 s per run
    .venv/bin/python benchmarks/bench_sweep.py --template ki-posteingang --seeds 1-4   # a shipped template

In a temporary workspace (own data folder and SQLite MLflow store) the
default dataset is generated once, then the same 16-run sweep (8 seeds x 2
values of ``--grid``) runs twice: ``--cluster none`` (in this process, no
Dask) and ``--cluster local:2`` (cluster start included, and also shown on its
own). It prints wall times, the speed-up, and the overhead per task: the
worker time not spent in notebooks (wall time x workers minus the notebooks'
own execution time, kernel start included as papermill measures it), divided
by the number of runs; for the cluster also without its start-up. Targets:
speed-up >= 1.7x on 2 cores, overhead < 1 s per task. The load average is
printed: other processes on the machine take cores from the parallel round first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LIGHT_TEMPLATE = """\
titel: Last
fragestellung: Wie stabil ist das mittlere Alter im Bootstrap?
hypothese: Stabil.
daten: {datensatz: musterstadt, tabellen: [einwohner]}
parameter:
  wiederholungen: {typ: int, standard: 400, min: 1, beschreibung: Bootstrap-Wiederholungen}
metriken:
  alter_mittel: mittleres Alter
  alter_streuung: Streuung der Bootstrap-Mittel
erfolgskriterien:
  - {metrik: alter_streuung, operator: "<", schwelle: 1, beschreibung: stabil}
"""

LIGHT_CELLS = [
    "datensatz = 'musterstadt'\nseed = 42\nwiederholungen = 400",
    "import numpy as np\nfrom sandbox import datasets, experiments\nds = datasets.open(datensatz)\n"
    "geburt = ds['einwohner']['geburtsdatum'].dropna().dt.year.to_numpy()\nalter = 2026 - geburt\n"
    "rng = np.random.default_rng(seed)\n"
    "mittel = [rng.choice(alter, size=alter.size).mean() for _ in range(wiederholungen)]",
    "experiments.record({'alter_mittel': float(np.mean(mittel)), 'alter_streuung': float(np.std(mittel))})",
]


def light_template(root: Path) -> None:
    import nbformat

    folder = root / "templates" / "last"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(LIGHT_TEMPLATE, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in LIGHT_CELLS]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "notebook.ipynb")
    (folder / "README.md").write_text("# Last\n", encoding="utf-8")


def cpu_seconds() -> float:
    """CPU of this process and of its reaped children (kernels, LocalCluster workers once closed)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def parallel_capacity() -> float:
    """How much faster two CPU-bound processes finish than one after the other right now (2.0 on an idle
    2-core machine): the ceiling for any speed-up while others share the machine."""
    loop = [sys.executable, "-c", "x = 0\nfor i in range(20_000_000): x += i"]
    start = time.perf_counter()
    subprocess.run(loop, check=True)
    one = time.perf_counter() - start
    start = time.perf_counter()
    procs = [subprocess.Popen(loop) for _ in range(2)]
    for proc in procs:
        proc.wait()
    return round(2 * one / (time.perf_counter() - start), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="last", help="'last' (built here) or a shipped template")
    parser.add_argument("--seeds", default="1-8")
    parser.add_argument("--grid", action="append", default=None, help="NAME=V1,V2 (default for 'last': "
                        "wiederholungen=300,400)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    os.environ.update(SANDBOX_DATA=str(root / "generated"), MLFLOW_TRACKING_URI=f"sqlite:///{root / 'mlflow.db'}")
    from sandbox.synth.writer import generate_dataset

    generate_dataset("musterstadt", 42)  # with the checkout's profiles, before the workspace moves
    os.environ["SANDBOX_HOME"] = str(root)
    if args.template == "last":
        light_template(root)
    else:  # the shipped templates: copy them so the workspace is complete
        import shutil

        shutil.copytree(REPO / "templates", root / "templates")
    grid = args.grid if args.grid is not None else (["wiederholungen=300,400"] if args.template == "last" else [])

    from sandbox import experiments
    from sandbox.experiments.params import parse_grid, parse_seeds
    seeds = parse_seeds(args.seeds)
    figures: dict[str, object] = {"template": args.template, "seeds": args.seeds, "grid": grid,
                                  "cpus": os.cpu_count()}
    from sandbox.experiments.runner import execute_plan, plan

    for cluster, workers in (("none", 1), ("local:2", 2)):
        name = f"bench-{cluster.replace(':', '')}"
        experiments.new_experiment(name, args.template)
        load, capacity = os.getloadavg()[0], parallel_capacity()
        cpu, start = cpu_seconds(), time.perf_counter()
        ready: list[float] = []
        results = execute_plan(plan(name, seeds=seeds, grid=parse_grid(grid), cluster=cluster),
                               on_ready=lambda _link: ready.append(time.perf_counter() - start))
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        notebooks = sum(r.seconds for r in results)
        bad = [r.error for r in results if r.status != "FINISHED"]
        if bad:
            raise SystemExit(f"{len(bad)} runs failed: {bad[0]}")
        startup = ready[0] if ready else 0.0
        figures[cluster] = {"runs": len(results), "wall_s": round(wall, 1), "cluster_start_s": round(startup, 1),
                            "notebooks_s": round(notebooks, 1),
                            "overhead_per_task_s": round((wall * workers - notebooks) / len(results), 2),
                            "overhead_per_task_without_start_s": round(
                                ((wall - startup) * workers - notebooks) / len(results), 2),
                            "cpu_s": round(cpu, 1), "parallel_capacity": capacity,
                            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}
        print(cluster, json.dumps(figures[cluster]), flush=True)
    seq, par = figures["none"], figures["local:2"]
    figures["speedup"] = round(seq["wall_s"] / par["wall_s"], 2)  # type: ignore[index]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
