"""``sandbox twin create`` and ``sandbox twin domain``: from an own extract to a released twin.

The order is the order of trust: check the budget and the flags, read the
extract, refuse direct identifiers and unmapped columns, map it onto the
public domain (refusing values outside it), hold back a control set, let
OpenDP spend the budget on the rest, measure risk and utility against the
baselines, let the gate decide, write the report, and write the twin only on
"freigeben" or an override with a reason. Nothing here prints or stores a
value of the extract: messages, manifest, report and MLflow run carry counts,
measures, hashes and the declared domain only.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from sandbox.errors import SandboxError
from sandbox.german import integer
from sandbox.twin.domain import Domain, load_domain
from sandbox.twin.gate import RELEASE, Finding, Thresholds, decide
from sandbox.twin.mechanism import MAX_ROWS, MECHANISMS, Budget, Settings, budget, library_versions, synthesize
from sandbox.twin.report import REPORT_HTML, REPORT_MD
from sandbox.twin.stats import Measure

if TYPE_CHECKING:
    import numpy as np

    from sandbox.synth.schema import Table
    from sandbox.twin.extract import Extract

__all__ = ["TwinRequest", "TwinResult", "create_twin", "suggest_domain", "CONTROL_SHARE", "CONTROL_MAX", "MIN_ROWS"]

CONTROL_SHARE = 0.2  # share of the extract held back as the control set (Annahme, as Giomi et al.)
CONTROL_MAX = 5_000  # at most this many: enough for narrow intervals, the rest feeds the twin (Annahme)
MIN_ROWS = 10  # fewer rows cannot be split into a twin and a control set
Progress = Callable[[str], None]


@dataclass
class TwinRequest:
    extract: Path
    epsilon: float
    table: str | None = None
    domain: Path | None = None
    delta: float = 0.0
    rows: int | None = None
    out: Path | None = None
    mechanism: str = "aim"
    drop: Sequence[str] = ()
    target: str | None = None
    seed: int = 0
    thresholds: Thresholds = field(default_factory=Thresholds)
    override: str | None = None
    force: bool = False
    track: bool = True
    settings: Settings = field(default_factory=Settings)


@dataclass
class TwinResult:
    verdict: str
    findings: list[Finding]
    risk: list[Measure]
    utility: list[Measure]
    report: Path  # FREIGABEBERICHT.md
    dataset: Path | None  # None when the gate held the twin back
    budget: Budget
    rows_twin: int
    seconds: float


def _schema(table: str | None) -> "Table | None":
    from sandbox.synth import TABLES

    if table is None:
        return None
    if table not in TABLES:
        raise SandboxError(f"Tabelle {table!r} gibt es nicht; bekannt sind {', '.join(TABLES)}")
    return TABLES[table].TABLE


def _read(request: TwinRequest, schema: "Table | None", domain: Domain | None) -> "Extract":
    from sandbox.twin.extract import read_extract

    if (schema is None) == (domain is None):
        raise SandboxError("geben Sie genau eines an: --as TABELLE (Standardschema) oder --domain DOMAIN.yaml")
    dtypes = {c.name: c.dtype for c in (schema.columns if schema is not None else domain.columns)}  # type: ignore[union-attr]
    extract = read_extract(request.extract, dtypes)
    unknown_drop = [d for d in request.drop if d not in extract.names]
    if unknown_drop:
        raise SandboxError(f"--drop nennt Spalten, die der Auszug nicht hat: {', '.join(unknown_drop)}")
    extract.data = extract.data.drop_columns(list(request.drop))
    if extract.rows < MIN_ROWS:
        raise SandboxError(f"der Auszug hat nur {extract.rows} Zeilen; ein Zwilling braucht mindestens {MIN_ROWS}")
    return extract


def _prepare(request: TwinRequest) -> tuple["Extract", Domain, str]:
    from sandbox.twin.propose import check_identifiers, domain_from_schema

    schema = _schema(request.table)
    domain = load_domain(request.domain) if request.domain is not None else None
    extract = _read(request, schema, domain)
    check_identifiers(extract.names, schema)
    if domain is None:
        assert schema is not None
        return extract, domain_from_schema(schema, extract.names), f"Standardschema {schema.name}"
    unmapped = [n for n in extract.names if n not in domain.names]
    if unmapped:
        raise SandboxError(f"Spalten ohne Eintrag in der Domäne: {', '.join(unmapped)}; ergänzen Sie die "
                           "Domänendatei oder lassen Sie sie mit --drop weg")
    return extract, domain, "Domänendatei"


def _split(cells: "np.ndarray", seed: int) -> tuple["np.ndarray", "np.ndarray"]:
    import numpy as np

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5B17]))
    order = rng.permutation(len(cells))
    control = min(max(int(round(CONTROL_SHARE * len(cells))), 1), CONTROL_MAX)
    return cells[order[control:]], cells[order[:control]]


def _stamp(seed: int, request: TwinRequest, spend: Budget, extract: "Extract", verdict: str) -> dict:
    return {"epsilon": spend.epsilon, "delta": spend.delta, "rho": spend.rho, "mass": spend.measure,
            "verfahren": request.mechanism, "versionen": library_versions(), "seed": seed,
            "eingabe_pfad_sha256": extract.path_sha256, "eingabe_inhalt_sha256": extract.content_sha256,
            "entscheidung": verdict, "uebersteuerung": request.override, "erzeugt": dt.date.today().isoformat()}


def _default_out(domain: Domain, epsilon: float) -> Path:
    from sandbox.config import generated_dir

    return generated_dir() / f"zwilling-{domain.table}-e{epsilon:g}".replace(".", "_")


def create_twin(request: TwinRequest, progress: Progress | None = None) -> TwinResult:
    """Make, measure, judge and (if released) write a twin; the report is always written."""
    from sandbox.twin import dataset as out
    from sandbox.twin.encode import decode, encode
    from sandbox.twin.report import ReportInput, budget_in_words, render_html, render_markdown
    from sandbox.twin.risk import measure_risk
    from sandbox.twin.utility import measure_utility

    say = progress or (lambda _message: None)
    started = time.perf_counter()
    if request.mechanism not in MECHANISMS:
        raise SandboxError(f"--mechanism {request.mechanism!r} gibt es nicht; wählen Sie aim oder mst")
    if request.override is not None and not request.override.strip():
        raise SandboxError("--override braucht eine Begründung, die in den Bericht kommt")
    if request.rows is not None and not 1 <= request.rows <= MAX_ROWS:
        raise SandboxError(f"--rows muss zwischen 1 und {integer(MAX_ROWS)} liegen")
    spend = budget(request.epsilon, request.delta)
    extract, domain, source = _prepare(request)
    if request.target is not None and request.target not in domain.names:
        raise SandboxError(f"--target {request.target!r} ist keine Spalte des Zwillings; wählen Sie eine aus "
                           f"{', '.join(domain.names)}")
    target = Path(request.out) if request.out else _default_out(domain, request.epsilon)
    if target.exists() and not request.force:
        raise SandboxError(f"{target} gibt es schon; --force ersetzt einen Zwilling, oder wählen Sie ein anderes --out")
    cells = encode(extract.data, domain)
    train, control = _split(cells, request.seed)
    say(f"{request.mechanism.upper()} lernt aus {len(train)} Zeilen (ε = {request.epsilon:g})")
    twin = synthesize(train, domain, spend, request.mechanism, request.rows, request.seed, request.settings)
    say("Angriffe und Nutzen werden gemessen")
    risk = measure_risk(train, control, twin, domain, request.seed, request.target)
    utility = measure_utility(train, control, twin, domain, request.seed, request.target)
    verdict, findings = decide(risk + utility, spend.epsilon, extract.rows, domain.derived, request.thresholds)
    written = verdict == RELEASE or request.override is not None
    report = ReportInput(domain.table, source, extract.path_sha256, extract.content_sha256, extract.rows, len(train),
                         len(control), len(twin), list(request.drop), domain, spend, request.mechanism,
                         library_versions(), risk, utility, verdict, findings, request.thresholds, written,
                         request.override, time.perf_counter() - started)
    markdown = render_markdown(report)
    reports = {REPORT_MD: markdown, REPORT_HTML: render_html(markdown, f"Freigabebericht {domain.table}")}
    stamp = _stamp(request.seed, request, spend, extract, verdict)
    if written:
        card = out.render_card(domain, stamp, len(twin), budget_in_words(spend))
        folder = out.write_twin(target, decode(twin, domain, request.seed), domain, stamp, card, reports, request.force)
    else:
        folder = target.with_name(f"{target.name}-bericht")
        folder.mkdir(parents=True, exist_ok=True)
        out.write_reports(folder, reports)
    result = TwinResult(verdict, findings, risk, utility, folder / REPORT_MD, folder if written else None, spend,
                        len(twin), time.perf_counter() - started)
    if request.track:
        from sandbox.twin.tracked import track

        track(risk + utility, len(twin), result.dataset, stamp, folder)
    return result


def suggest_domain(extract_path: Path, table: str | None, drop: Sequence[str] = ()) -> tuple[Domain, list[str]]:
    """A proposed domain for ``sandbox twin domain`` and notes on the columns left out."""
    from sandbox.twin.extract import read_extract
    from sandbox.twin.propose import propose_domain

    schema = _schema(table)
    extract = read_extract(extract_path, {c.name: c.dtype for c in schema.columns} if schema else None)
    missing = [d for d in drop if d not in extract.names]
    if missing:
        raise SandboxError(f"--drop nennt Spalten, die der Auszug nicht hat: {', '.join(missing)}")
    extract.data = extract.data.drop_columns(list(drop))
    return propose_domain(extract, schema)
