"""Scorecard: evaluators rate an experiment on the criteria of the vision "Kommune der Zukunft".

``sandbox experiment score NAME`` records one evaluator's ratings, 1 (poor)
to 5 (very good) with a one-line justification each, from a YAML file::

    bewerter: Erika Beispiel
    rolle: Datenschutzbeauftragte        # optional
    kriterien:
      nutzen: {note: 4, begruendung: Eltern erhalten den Hinweis ohne Antrag.}
      aufwand: {note: 2, begruendung: Die Regeln müssen je Leistung gepflegt werden.}
      ...                                # all seven criteria of CRITERIA
    kommentar: optional, one line

or interactively (:func:`interview`). Each scorecard is one MLflow run,
tagged ``sandbox.art=bewertung``, in the experiment's own scorecard experiment
``Bewertungen · <experiment>`` (:mod:`sandbox.tracking.scorecards`), apart from
its runs, so several evaluators are all kept with who and when, and anyone can
query them: metrics
``bewertung.<kriterium>`` (the grade) and ``bewertung.gesamt`` (the mean),
params ``bewerter`` and ``rolle``, tags ``sandbox.bewertung.bewerter``,
``.rolle``, ``.zeitpunkt`` (ISO 8601, UTC), ``.<kriterium>.begruendung``,
``.kommentar``, ``.laeufe`` (the run ids the evaluator saw) and ``.experiment_id``
(the scored MLflow experiment), ``sandbox.experiment`` (its name), and the whole
card as the artifact ``bewertung.json``. For every criterion, 5 is the best
grade: for Aufwand/Kosten 5 means little effort and low cost.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from sandbox.compare import sources
from sandbox.config import read_yaml
from sandbox.errors import SandboxError
from sandbox.tracking import keys, scorecards

if TYPE_CHECKING:
    from mlflow.entities import Run

__all__ = ["Criterion", "Rating", "Scorecard", "CRITERIA", "parse", "read_file", "interview", "record", "load",
           "blank_yaml", "check_experiment"]

_MAX_TEXT = 1000


@dataclass(frozen=True)
class Criterion:
    """A scorecard criterion: key (YAML and MLflow name), German title, the question, its place in the vision."""

    key: str
    title: str
    question: str
    vision: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("nutzen", "Nutzen für Bürger und Unternehmen",
              "Wie sehr hilft das Ergebnis Bürgerinnen, Bürgern und Unternehmen? (5 = großer, spürbarer Nutzen)",
              "Partner für alle; proaktiv"),
    Criterion("entlastung", "Entlastung der Mitarbeitenden",
              "Wie stark entlastet es die Mitarbeitenden der Verwaltung? (5 = deutlich weniger Routinearbeit)",
              "innovativ: die eigene Arbeit effizienter gestalten"),
    Criterion("datenschutz", "Datenschutz und Informationssicherheit",
              "Wie gut bleiben Datenschutz und Informationssicherheit gewahrt? (5 = unbedenklich und nachvollziehbar)",
              "vertrauensvoll"),
    Criterion("nachhaltigkeit", "Nachhaltigkeit (Ressourcen, Energie)",
              "Wie sparsam geht es mit Ressourcen und Energie um, ohne Abhängigkeit von einem Anbieter? (5 = sehr sparsam)",
              "nachhaltig"),
    Criterion("zuverlaessigkeit", "Zuverlässigkeit",
              "Wie verlässlich und stabil arbeitet es, auch bei Störungen? (5 = sehr zuverlässig)",
              "zuverlässig"),
    Criterion("uebertragbarkeit", "Übertragbarkeit auf andere Kommunen",
              "Wie leicht lässt es sich in anderen Kommunen einsetzen? (5 = ohne Anpassung)",
              "Experimentierräume: Lösungen für die meisten Verwaltungen"),
    Criterion("aufwand", "Aufwand/Kosten",
              "Wie gering sind Aufwand und Kosten für Einführung und Betrieb? (5 = sehr gering)",
              "Finanzrahmen; nachhaltig (wirtschaftlich)"),
)
_KEYS = [c.key for c in CRITERIA]


@dataclass(frozen=True)
class Rating:
    note: int
    reason: str


@dataclass(frozen=True)
class Scorecard:
    """One evaluator's ratings of one experiment."""

    evaluator: str
    ratings: dict[str, Rating]
    role: str = ""
    comment: str = ""
    when: dt.datetime | None = None
    run_id: str = ""
    runs_seen: tuple[str, ...] = field(default_factory=tuple)
    home: str = ""  # the MLflow experiment holding the card (Bewertungen · <experiment>)

    @property
    def overall(self) -> float:
        return sum(r.note for r in self.ratings.values()) / len(self.ratings)


def _line(value: Any, where: str, what: str, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SandboxError(f"{where}: {what} fehlt; bitte in einer Zeile angeben")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise SandboxError(f"{where}: {what} muss ein Text sein, nicht {value!r}")
    text = " ".join(str(value).split())
    if len(text) > _MAX_TEXT:
        raise SandboxError(f"{where}: {what} hat {len(text)} Zeichen; bitte eine Zeile mit höchstens {_MAX_TEXT}")
    return text


def _note(value: Any, where: str, key: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise SandboxError(f"{where}: {key}.note muss eine ganze Zahl von 1 bis 5 sein, nicht {value!r}")
    return value


def parse(data: Any, where: str = "scorecard") -> Scorecard:
    """A checked :class:`Scorecard` from the YAML structure (see module docstring)."""
    if not isinstance(data, Mapping):
        raise SandboxError(f"{where} muss eine Zuordnung mit bewerter und kriterien enthalten; siehe sandbox experiment score --help")
    unknown = sorted(set(data) - {"bewerter", "rolle", "kriterien", "kommentar"})
    if unknown:
        raise SandboxError(f"{where}: unbekannter Schlüssel {unknown[0]!r}; erlaubt sind bewerter, rolle, kriterien, kommentar")
    evaluator = _line(data.get("bewerter"), where, "bewerter (wer bewertet)")
    raw = data.get("kriterien")
    if not isinstance(raw, Mapping):
        raise SandboxError(f"{where}: kriterien muss jedem von {', '.join(_KEYS)} {{note: 1-5, begruendung: ...}} zuordnen")
    strange = [k for k in raw if k not in _KEYS]
    if strange:
        raise SandboxError(f"{where}: unbekanntes Kriterium {strange[0]!r}; die Kriterien sind {', '.join(_KEYS)}")
    ratings: dict[str, Rating] = {}
    for c in CRITERIA:
        item = raw.get(c.key)
        if item is None:
            raise SandboxError(f"{where}: Kriterium {c.key!r} ({c.title}) fehlt; bitte alle {len(CRITERIA)} Kriterien bewerten")
        if not isinstance(item, Mapping) or set(item) - {"note", "begruendung"}:
            raise SandboxError(f"{where}: {c.key} muss {{note: 1-5, begruendung: ...}} sein, nicht {item!r}")
        ratings[c.key] = Rating(_note(item.get("note"), where, c.key),
                                _line(item.get("begruendung"), where, f"{c.key}.begruendung (die Begründung)"))
    return Scorecard(evaluator, ratings, _line(data.get("rolle"), where, "rolle", False),
                     _line(data.get("kommentar"), where, "kommentar", False))


def read_file(path: Path) -> Scorecard:
    """Parse and check a scorecard YAML file; every problem is one line naming the file."""
    return parse(read_yaml(Path(path), hint="bitte die mit --file angegebene Datei prüfen"), str(path))


def blank_yaml() -> str:
    """An empty scorecard to fill in, with every criterion's question as a comment."""
    lines = ["bewerter: \"Vorname Name\"", "rolle: \"z. B. Digitalisierungsbeauftragte\"", "kriterien:"]
    for c in CRITERIA:
        lines += [f"  # {c.title}: {c.question}", f"  {c.key}: {{note: 3, begruendung: \"...\"}}"]
    return "\n".join(lines + ["kommentar: \"\"", ""])


def interview(ask: Callable[[str], str], say: Callable[[str], None],
              evidence: Mapping[str, str] | None = None) -> Scorecard:
    """Ask for name, role and every criterion (in German); re-ask until each answer is valid.

    ``evidence``: a line per criterion key shown with its question, e.g. the transferability
    judgement of runs on several profiles for ``uebertragbarkeit`` (``sandbox.compare.transfer_evidence``).
    """
    def until_valid(question: str, check: Callable[[str], Any], hint: str) -> Any:
        while True:
            try:
                return check(ask(question))
            except SandboxError:
                say(f"  {hint}")

    evaluator = until_valid("Ihr Name (Bewerter/in)", lambda a: _line(a, "answer", "the name"),
                            "Bitte Ihren Namen angeben.")
    role = ask("Ihre Rolle (optional, Enter überspringt)").strip()
    ratings = {}
    for number, c in enumerate(CRITERIA, 1):
        say(f"\n{number}/{len(CRITERIA)} {c.title}\n  {c.question}")
        if evidence and evidence.get(c.key):
            say(f"  {evidence[c.key]}")
        note = until_valid("  Note (1-5)", lambda a, key=c.key: _note(a, "answer", key),
                           "Bitte eine ganze Zahl von 1 bis 5 eingeben.")
        reason = until_valid("  Begründung (eine Zeile)", lambda a: _line(a, "answer", "the justification"),
                             "Bitte die Note in einer Zeile begründen.")
        ratings[c.key] = Rating(note, reason)
    comment = ask("Kommentar (optional)").strip()
    return parse({"bewerter": evaluator, "rolle": role or None, "kommentar": comment or None,
                  "kriterien": {k: {"note": r.note, "begruendung": r.reason} for k, r in ratings.items()}}, "answer")


def _slug(text: str) -> str:
    """A run-name part from a person's name: lowercase, words joined by ``-``, umlauts kept (``bürgerservice``)."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:40] or "bewertung"


def check_experiment(experiment: str) -> None:
    """Fail before an interview if ``experiment`` has no MLflow experiment with runs to score."""
    _scored(sources.open_store(), experiment)


def _scored(client: Any, experiment: str) -> Any:
    """The MLflow experiment (or seat view) ``experiment`` whose runs a scorecard rates; not a scorecard experiment."""
    if scorecards.is_scorecard_experiment(experiment):
        base = experiment[len(keys.SCORECARD_EXPERIMENT_PREFIX):] or "NAME"
        raise SandboxError(f"{experiment!r} enthält Bewertungen, keine Läufe; bewertet wird das Experiment selbst: "
                           f"sandbox experiment score {base}")
    return sources.find_experiment(client, experiment)


def record(experiment: str, card: Scorecard) -> Scorecard:
    """Store ``card`` as a scorecard run in the scorecard experiment of ``experiment``; returns it with run id and time."""
    from mlflow.entities import Metric, Param, RunTag

    client = sources.open_store()
    found = _scored(client, experiment)
    now = dt.datetime.now(dt.timezone.utc)
    when = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what MLflow's start_time can hold
    millis = int(when.timestamp() * 1000)
    seen = [r.run_id for r in sources.experiment_runs(client, found) if r.finished][:200]
    home = scorecards.scorecard_home(client, found.experiment_id)
    tags = {keys.KIND: keys.KIND_SCORECARD, keys.EXPERIMENT: experiment,
            keys.SCORED_EXPERIMENT_ID: str(found.experiment_id),
            keys.score_tag("bewerter"): card.evaluator, keys.score_tag("rolle"): card.role,
            keys.score_tag("zeitpunkt"): when.isoformat(), keys.score_tag("kommentar"): card.comment,
            keys.score_tag("laeufe"): ",".join(seen)[:4000],
            **{keys.score_tag(f"{k}.begruendung"): r.reason for k, r in card.ratings.items()},
            keys.NOTE: _note_markdown(card)}
    metrics = [Metric(keys.score(k), float(r.note), millis, 0) for k, r in card.ratings.items()]
    metrics.append(Metric(keys.SCORE_OVERALL, card.overall, millis, 0))
    stored = Scorecard(card.evaluator, card.ratings, card.role, card.comment, when, "", tuple(seen))
    run = client.create_run(home, start_time=millis, run_name=f"bewertung-{_slug(card.evaluator)}",
                            tags={keys.KIND: keys.KIND_SCORECARD})
    try:
        client.log_batch(run.info.run_id, metrics=metrics,
                         params=[Param("bewerter", card.evaluator[:500]), Param("rolle", card.role[:500] or "-")],
                         tags=[RunTag(k, v) for k, v in tags.items() if v])
        client.log_text(run.info.run_id, json.dumps(_as_dict(stored), ensure_ascii=False, indent=1), "bewertung.json")
        client.set_terminated(run.info.run_id, "FINISHED", end_time=millis)
    except BaseException:
        client.delete_run(run.info.run_id)  # no half-stored scorecard
        raise
    return Scorecard(card.evaluator, card.ratings, card.role, card.comment, when, run.info.run_id, tuple(seen),
                     client.get_experiment(home).name)


def _as_dict(card: Scorecard) -> dict[str, Any]:
    return {"bewerter": card.evaluator, "rolle": card.role, "zeitpunkt": card.when.isoformat() if card.when else None,
            "kriterien": {k: {"titel": c.title, "note": card.ratings[k].note, "begruendung": card.ratings[k].reason}
                          for k, c in ((c.key, c) for c in CRITERIA)},
            "gesamt": card.overall, "kommentar": card.comment, "laeufe": list(card.runs_seen)}


def _note_markdown(card: Scorecard) -> str:
    rows = "\n".join(f"| {c.title} | {card.ratings[c.key].note} | {card.ratings[c.key].reason} |" for c in CRITERIA)
    who = card.evaluator + (f" ({card.role})" if card.role else "")
    return f"**Bewertung von {who}**\n\n| Kriterium | Note | Begründung |\n|---|---|---|\n{rows}"


def _from_run(run: "Run") -> Scorecard | None:
    tags, metrics = run.data.tags, run.data.metrics
    if not all(keys.score(k) in metrics for k in _KEYS):
        return None
    ratings = {k: Rating(int(round(metrics[keys.score(k)])), tags.get(keys.score_tag(f"{k}.begruendung"), ""))
               for k in _KEYS}
    try:
        when = dt.datetime.fromisoformat(tags.get(keys.score_tag("zeitpunkt"), ""))
    except ValueError:
        when = dt.datetime.fromtimestamp(run.info.start_time / 1000, dt.timezone.utc)
    seen = tuple(filter(None, tags.get(keys.score_tag("laeufe"), "").split(",")))
    return Scorecard(tags.get(keys.score_tag("bewerter")) or run.data.params.get("bewerter", "?"), ratings,
                     tags.get(keys.score_tag("rolle"), ""), tags.get(keys.score_tag("kommentar"), ""), when,
                     run.info.run_id, seen)


def load(client: Any, experiment_id: str, experiment: str | None = None) -> list[Scorecard]:
    """Every finished scorecard of the MLflow experiment ``experiment_id``, oldest first.

    Read from its scorecard experiment and, stored before scorecards moved there, from the run
    experiment itself; ``experiment`` (the name asked for) narrows a workshop seat's cards to it.
    """
    runs = scorecards.scorecard_runs(client, experiment_id, experiment)
    cards = [_from_run(r) for r in runs if r.info.status == "FINISHED"]
    return sorted((c for c in cards if c is not None), key=lambda c: c.when or dt.datetime.min.replace(tzinfo=dt.timezone.utc))
