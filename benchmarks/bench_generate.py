"""Generation benchmark: vectorised register vs a row-wise Faker baseline, and the sachsen profile.

Run by hand (figures go to README.md), never as a test:

    .venv/bin/python benchmarks/bench_generate.py            # ratio + sachsen
    .venv/bin/python benchmarks/bench_generate.py --no-sachsen

1. Resident rows per second: the baseline fills the same einwohner columns
   with one Faker call per value and row; the sandbox generates a whole
   register (municipalities, addresses, households, residents) for the same
   population share and is timed until the einwohner table is in memory.
2. The sachsen profile (4.1 M residents, every table) in a child process:
   wall time per table, total, and peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def faker_baseline(rows: int) -> float:
    """Rows per second of a row-wise Faker generator filling the einwohner columns."""
    from faker import Faker

    fake = Faker("de_DE")
    Faker.seed(1)
    stichtag = dt.date(2024, 12, 31)
    out = []
    start = time.perf_counter()
    for i in range(rows):
        female = fake.boolean(chance_of_getting_true=51)
        born = fake.date_between(start_date=dt.date(1925, 1, 1), end_date=stichtag)
        out.append({
            "einwohner_id": i + 1,
            "haushalt_id": fake.random_int(1, rows),
            "anschrift_id": fake.random_int(1, rows // 2),
            "familienname": fake.last_name(),
            "geburtsname": fake.last_name() if fake.boolean(chance_of_getting_true=20) else None,
            "vornamen": fake.first_name_female() if female else fake.first_name_male(),
            "geschlecht": "weiblich" if female else "männlich",
            "geburtsdatum": born,
            "geburtsort": fake.city(),
            "staatsangehoerigkeit": fake.random_element(("deutsch",) * 13 + ("ukrainisch", "syrisch")),
            "familienstand": fake.random_element(("ledig", "verheiratet", "verwitwet", "geschieden")),
            "familienstand_datum": fake.date_between(start_date=born, end_date=stichtag),
            "ehegatte_id": None,
            "stellung_im_haushalt": fake.random_element(("Bezugsperson", "Partner/in", "Kind")),
            "religion": fake.random_element(("keine", "keine", "keine", "evangelisch", "römisch-katholisch")),
            "wohnungsstatus": fake.random_element(("Hauptwohnung",) * 49 + ("Nebenwohnung",)),
            "einzugsdatum": fake.date_between(start_date=born, end_date=stichtag),
            "meldestatus": "gemeldet",
            "abmeldedatum": None,
        })
    return rows / (time.perf_counter() - start)


def sandbox_rate(population: int) -> tuple[float, int, float]:
    """Resident rows per second of the sandbox register (all tables up to einwohner)."""
    from sandbox.synth import TABLES
    from sandbox.synth.context import Context
    from sandbox.synth.profile import load_profile

    ctx = Context(load_profile("sachsen", population), seed=1)
    start = time.perf_counter()
    for name in ("gemeinden", "anschriften", "haushalte", "einwohner"):
        ctx.tables[name] = TABLES[name].generate(ctx)
    seconds = time.perf_counter() - start
    rows = len(ctx.tables["einwohner"])
    return rows / seconds, rows, seconds


def sachsen_child(out: str) -> None:
    """Run inside the child process: generate sachsen and print per-table times as JSON."""
    from sandbox.synth.writer import generate_dataset

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    generate_dataset("sachsen", 42, out=Path(out), force=True,
                     progress=lambda table, i, n: marks.append((table, time.perf_counter() - start)))
    total = time.perf_counter() - start
    per_table = {name: round(marks[i + 1][1] - t, 2) for i, (name, t) in enumerate(marks[:-1])}
    manifest = json.loads((Path(out) / "manifest.json").read_text())
    print(json.dumps({"total_s": round(total, 2), "per_table_s": per_table,
                      "rows": {k: v["rows"] for k, v in manifest["tables"].items()}}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--no-sachsen", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sachsen_child(args.child)
        return
    baseline = faker_baseline(args.baseline_rows)
    rate, rows, seconds = sandbox_rate(args.population)
    print(f"Faker row-wise baseline: {baseline:,.0f} resident rows/s ({args.baseline_rows:,} rows)")
    print(f"Sandbox register:        {rate:,.0f} resident rows/s ({rows:,} rows incl. deregistered, {seconds:.1f} s)")
    print(f"Ratio:                   {rate / baseline:,.0f}x (target >= 100x)")
    if args.no_sachsen:
        return
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, __file__, "--child", str(Path(tmp) / "sachsen")],
                                capture_output=True, text=True, check=True)
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"sachsen, all tables:     {figures['total_s']:.1f} s wall, peak RSS {peak_gib:.2f} GiB (targets: < 60 s, < 6 GiB)")
    for name, secs in figures["per_table_s"].items():
        print(f"  {name:<20} {secs:6.2f} s  {figures['rows'][name]:>12,} rows")


if __name__ == "__main__":
    main()
