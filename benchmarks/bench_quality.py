"""Quality gate benchmark: `sandbox data check` and `sandbox data privacy` on the sachsen profile.

Run by hand (figures go to README.md), never as a test:

    .venv/bin/python benchmarks/bench_quality.py                       # generates sachsen into a temp folder
    .venv/bin/python benchmarks/bench_quality.py --dataset /tmp/sachsen # an existing sachsen dataset

Each command runs in a child process, as a user runs it. Reported per command:
wall seconds, CPU seconds (user + system of the child, a figure the machine's
load does not inflate) and peak resident memory. Also `sandbox --help`, which
must not import great_expectations. Target: checking sachsen under 60 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SANDBOX = [sys.executable, "-m", "sandbox.cli"]


def measure(label: str, args: list[str]) -> None:
    """Run one command in a child process and print its wall time, CPU time and peak memory."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own figures, not the maximum over all children
        wall = time.perf_counter() - start
        out.seek(0)
        lines = out.read().strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    print(f"{label:<28} wall {wall:6.1f} s  cpu {cpu:6.1f} s  peak {usage.ru_maxrss / 1024 ** 2:5.2f} GiB  "
          f"exit {os.waitstatus_to_exitcode(status)}  | {(lines[-1] if lines else '')[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, help="an existing sachsen dataset (default: generate one)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    measure("sandbox --help", [*SANDBOX, "--help"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dataset
        if folder is None:
            folder = Path(tmp) / "sachsen"
            measure("generate sachsen (no check)", [*SANDBOX, "data", "generate", "--profile", "sachsen", "--out",
                                                    str(folder), "--no-check"])
        measure("data check --no-docs", [*SANDBOX, "data", "check", str(folder), "--no-docs"])
        measure("data check (Data Docs)", [*SANDBOX, "data", "check", str(folder)])
        measure("data privacy", [*SANDBOX, "data", "privacy", str(folder)])
    print(f"load average afterwards {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
