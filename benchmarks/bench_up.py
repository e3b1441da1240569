"""`sandbox up` benchmark: seconds from the command until MLflow and JupyterLab both answer.

Run by hand (figures go to README.md), never as a test:

    .venv/bin/python benchmarks/bench_up.py             # 3 rounds
    .venv/bin/python benchmarks/bench_up.py --rounds 5

Each round starts `sandbox up --detach` in one temporary workspace on free
ports (round 1 finds no MLflow database and creates its tables, as a new
user's first start does; later rounds are the everyday warm start), polls MLflow's /health and JupyterLab's
/api/status from the moment the command starts, reads the CPU seconds each
server's process group used until then (a figure the machine's load does not
inflate), and stops with `sandbox down`. The default dataset is generated once beforehand, so the
figures are the servers' start, as on a warm machine. Target: under 15 s.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_answer(url: str, start: float, out: dict[str, float], key: str, any_status: bool = False) -> None:
    """Poll url every 50 ms; record seconds since start of its first 200 (or of any HTTP answer)."""
    while time.perf_counter() - start < 120:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    out[key] = time.perf_counter() - start
                    return
        except urllib.error.HTTPError:
            if any_status:
                out[key] = time.perf_counter() - start
                return
        except OSError:
            pass
        time.sleep(0.05)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes in a process group (plus their reaped children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split() if entry.name.isdigit() else []
        except OSError:
            continue
        if fields and fields[2] == str(pgid):
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def one_round(root: Path, data: Path) -> dict[str, float]:
    """One `sandbox up --detach` ... `sandbox down` in root; seconds and CPU seconds."""
    env = {**os.environ, "SANDBOX_HOME": str(root), "SANDBOX_DATA": str(data)}
    env.pop("MLFLOW_TRACKING_URI", None)
    jupyter, mlflow = free_port(), free_port()
    cli = [sys.executable, "-m", "sandbox.cli"]
    result: dict[str, float] = {}
    start = time.perf_counter()
    # JupyterLab's token is unknown until state.json exists; 403 means "answers", so poll without it
    probes = [threading.Thread(target=first_answer, args=(f"http://127.0.0.1:{mlflow}/health", start, result, "mlflow")),
              threading.Thread(target=first_answer, args=(f"http://127.0.0.1:{jupyter}/api/status", start, result, "jupyterlab", True))]
    for probe in probes:
        probe.start()
    try:
        up = subprocess.run([*cli, "up", "--detach", "--jupyter-port", str(jupyter), "--mlflow-port", str(mlflow)],
                            env=env, capture_output=True, text=True)
        result["up_command"] = time.perf_counter() - start
        if up.returncode != 0:
            raise SystemExit(f"sandbox up failed: {up.stderr.strip()}")
        for probe in probes:
            probe.join()
        state = json.loads((root / ".sandbox" / "state.json").read_text())
        for name, record in state["services"].items():
            result[f"{name}_cpu"] = group_cpu_seconds(record["pid"])
    finally:
        stop = time.perf_counter()
        subprocess.run([*cli, "down"], env=env, capture_output=True, text=True)
        result["down_command"] = time.perf_counter() - stop
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-up-data-") as data:
        from sandbox.config import DEFAULT_PROFILE, DEFAULT_SEED
        from sandbox.synth.writer import generate_dataset

        generate_dataset(DEFAULT_PROFILE, DEFAULT_SEED, out=Path(data) / f"{DEFAULT_PROFILE}-s{DEFAULT_SEED}")
        root = Path(data) / "ws"
        (root / "synthetic_data").mkdir(parents=True)
        (root / "synthetic_data" / "profiles").symlink_to(REPO / "synthetic_data" / "profiles")
        rounds = [one_round(root, Path(data)) for _ in range(args.rounds)]
    print(f"load average before: {load[0]:.2f}, after: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'round':>5} {'MLflow s':>9} {'Jupyter s':>10} {'up cmd s':>9} {'down s':>7} {'MLflow CPU s':>13} {'Jupyter CPU s':>14}")
    for i, r in enumerate(rounds, 1):
        print(f"{i:>5} {r.get('mlflow', float('nan')):>9.2f} {r.get('jupyterlab', float('nan')):>10.2f} "
              f"{r['up_command']:>9.2f} {r['down_command']:>7.2f} {r['mlflow_cpu']:>13.2f} {r['jupyterlab_cpu']:>14.2f}")
    both = [max(r.get("mlflow", float("inf")), r.get("jupyterlab", float("inf"))) for r in rounds]
    print(f"both answer: median {statistics.median(both):.2f} s, worst {max(both):.2f} s (target < 15 s)")


if __name__ == "__main__":
    main()
