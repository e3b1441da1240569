"""Twin benchmark: 100,000 rows x 15 columns through ``sandbox twin create`` at several ε.

Run by hand (figures go to README.md), never as a test:

    .venv/bin/python benchmarks/bench_twin.py                      # ε = 0.5, 1, 4
    .venv/bin/python benchmarks/bench_twin.py --epsilon 1

The stand-in for "real" data is a generated landkreis register: residents
joined with their address and household, 15 columns, 100,000 rows sampled.
Its domain is the generator's own value sets (public here, since the data
are synthetic). Each ε runs in a child process, so its wall time and peak
resident memory are its own (CPU time too: on a shared machine the wall time says more about the
load than about the twin); the figures are the mean 2-way marginal TVD of
the twin against the independent-columns baseline and the singling-out risk
against the control set, each with its 95 % interval.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = ["geschlecht", "geburtsdatum", "familienstand", "familienstand_datum", "stellung_im_haushalt",
           "staatsangehoerigkeit", "religion", "wohnungsstatus", "einzugsdatum", "meldestatus", "abmeldedatum",
           "ags", "plz", "haushaltstyp", "anzahl_personen"]


def stand_in(folder: Path, population: int, rows: int) -> tuple[Path, Path]:
    """The stand-in extract (Parquet) and its domain file."""
    import yaml

    from sandbox import datasets
    from sandbox.synth.writer import generate_dataset
    from sandbox.twin.domain import DERIVED
    from sandbox.twin.extract import read_extract
    from sandbox.twin.propose import propose_domain

    ds = datasets.open(generate_dataset("landkreis", 5, population=population, out=folder / "landkreis"))
    frame = ds.sql("select e.*, a.ags, a.plz, h.haushaltstyp, h.anzahl_personen from einwohner e "
                   "join anschriften a using (anschrift_id) left join haushalte h using (haushalt_id)")[COLUMNS]
    frame = frame.sample(rows, random_state=1).reset_index(drop=True)
    extract = folder / "auszug.parquet"
    frame.to_parquet(extract)
    domain, _ = propose_domain(read_extract(extract), None)
    mapping = domain.to_mapping()
    for spec in mapping["spalten"].values():
        if spec["herkunft"] == DERIVED:
            spec["herkunft"] = "Benchmark: Wertebereich des Generators"
    path = folder / "DOMAIN.yaml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return extract, path


def child(extract: Path, domain: Path, epsilon: float, out: Path, mechanism: str, settings: dict) -> None:
    from sandbox.twin import Settings, TwinRequest, create_twin

    started = time.perf_counter()
    result = create_twin(TwinRequest(extract=extract, domain=domain, epsilon=epsilon, out=out, mechanism=mechanism,
                                     override="Benchmark", track=False, target="familienstand",
                                     settings=Settings(**settings)))
    m = {x.key: x for x in [*result.risk, *result.utility]}
    so, tvd = m["singling_out_risiko"], m["tvd_2_weg"]
    print(json.dumps({
        "epsilon": epsilon, "mechanism": mechanism, "settings": settings, "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        "peak_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "tvd2": [tvd.value, tvd.low, tvd.high], "tvd2_baseline": [tvd.baseline, tvd.baseline_low, tvd.baseline_high],
        "tvd1": [m["tvd_1_weg"].value, m["tvd_1_weg"].baseline],
        "queries": [m["zaehlabfragen_median_relativer_fehler"].value, m["zaehlabfragen_median_relativer_fehler"].baseline],
        "ttr": [m["ttr_genauigkeit"].value, m["ttr_genauigkeit"].baseline],
        "singling_out": [so.value, so.low, so.high], "singling_out_control": [so.baseline, so.baseline_low, so.baseline_high],
        "risks": {x.key: [round(x.value, 4), round(x.low, 4), round(x.high, 4)] for x in result.risk},
        "verdict": result.verdict}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epsilon", type=float, action="append")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--population", type=int, default=130_000)
    parser.add_argument("--mechanism", default="aim")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a Settings field other than its default, e.g. rounds_per_column=3")
    parser.add_argument("--keep", type=Path, help="folder for the stand-in, reused if it is already there")
    parser.add_argument("--child", nargs=3, metavar=("EXTRACT", "DOMAIN", "OUT"))
    args = parser.parse_args()
    settings = {k: float(v) if "." in v else int(v) for k, v in (s.split("=", 1) for s in args.setting)}
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.epsilon[0], Path(args.child[2]), args.mechanism,
              settings)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        extract, domain = folder / "auszug.parquet", folder / "DOMAIN.yaml"
        if not (extract.exists() and domain.exists()):
            folder.mkdir(parents=True, exist_ok=True)
            extract, domain = stand_in(folder, args.population, args.rows)
        for epsilon in args.epsilon or [1.0, 0.5, 4.0]:
            done = subprocess.run([sys.executable, __file__, "--epsilon", str(epsilon), "--mechanism", args.mechanism,
                                   *(f"--setting={s}" for s in args.setting),
                                   "--child", str(extract), str(domain), str(Path(tmp) / f"twin-{epsilon}")],
                                  capture_output=True, text=True, check=False)
            print(done.stdout.strip() or done.stderr[-2000:], flush=True)


if __name__ == "__main__":
    main()
