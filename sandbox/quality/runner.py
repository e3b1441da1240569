"""Run checks with Great Expectations (1.x) and, if asked, write the Data Docs.

One ephemeral GX context per run, one pandas data source; every
:class:`~sandbox.quality.suites.Check` becomes a dataframe asset, an
``ExpectationSuite`` and a ``ValidationDefinition``. With a docs folder the
results are kept in the context's in-memory store and rendered as a
file-based Data Docs site (``index.html``) at the end.

great_expectations takes seconds to import, so it is imported here, inside
the functions, and nowhere on the path of ``sandbox --help``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import warnings
from pathlib import Path
from collections.abc import Callable
from typing import Any

from sandbox.german import integer
from sandbox.quality.offline import CSP, harden_pages
from sandbox.quality.report import SAMPLE, Finding, show_value
from sandbox.quality.suites import Check, Expect

__all__ = ["run_checks", "gx_expectation", "harden_pages", "CSP", "Progress"]

_LOGGERS = ("great_expectations", "tzlocal")
#: told (step, index, total): what the check is doing now, for a progress line
Progress = Callable[[str, int, int], None]


def _context(docs: Path | None) -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    from great_expectations.execution_engine import pandas_execution_engine

    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    # GX fingerprints every in-memory frame under 1 GB by hashing all of its values, which costs
    # seconds per table at the sachsen scale; the fingerprint only labels the batch in the Data Docs
    # (frames above the threshold go without it anyway), so no frame gets one.
    pandas_execution_engine.HASH_THRESHOLD = 0
    sites = {}
    if docs is not None:
        sites["qualitaet"] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(), analytics_enabled=False,
                               progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
                               data_docs_sites=sites)
    return gx.get_context(mode="ephemeral", project_config=config)


def gx_expectation(expect: Expect, position: int) -> Any:
    """The GX expectation object for an :class:`Expect` (its label kept in ``meta``)."""
    import great_expectations as gx

    cls = getattr(gx.expectations, expect.kind)
    return cls(**expect.kwargs, meta={"pruefung": expect.label, "nr": position})


def _exception(result: Any) -> str:
    info = result.exception_info or {}
    infos = [info] if "raised_exception" in info else list(info.values())
    for item in infos:
        if isinstance(item, dict) and item.get("raised_exception"):
            return str(item.get("exception_message") or "Fehler bei der Auswertung").splitlines()[0][:200]
    return ""


def _detail(expect: Expect, result: dict[str, Any], bad_found: str | None) -> tuple[str, list[str]]:
    """German description of what was found, and up to SAMPLE offending values."""
    details = result.get("details") or {}
    if expect.kind == "ExpectTableColumnsToMatchSet":
        mismatch = details.get("mismatched") or {}
        parts = []
        if mismatch.get("missing"):
            parts.append("fehlt: " + ", ".join(sorted(mismatch["missing"])))
        if mismatch.get("unexpected"):
            parts.append("unerwartet: " + ", ".join(sorted(mismatch["unexpected"])))
        return "; ".join(parts), []
    if expect.kind in ("ExpectColumnValuesToBeInTypeList", "ExpectColumnTypeToBe"):
        return f"gefunden: {bad_found or result.get('observed_value')}", []
    if "unexpected_count" in result:
        count = int(result.get("unexpected_count") or 0)
        rows = result.get("partial_unexpected_index_list") or []
        values = result.get("partial_unexpected_list") or []
        shown = rows if rows and isinstance(rows[0], dict) else values
        sample = [show_value(v) for v in shown[:SAMPLE]]
        return (f"{integer(count)} Zeilen weichen ab" if count != 1 else "1 Zeile weicht ab"), sample
    observed = result.get("observed_value")
    if observed is None:
        return "", []
    low, high = expect.kwargs.get("min_value"), expect.kwargs.get("max_value")
    if expect.kind == "ExpectColumnProportionOfNonNullValuesToBeBetween" and isinstance(observed, float):
        text = f"Ist {observed:.1%}, erlaubt {low:.1%} bis {high:.1%}"
    else:
        text = f"Ist {show_value(observed)}" + (f", erlaubt {show_value(low)} bis {show_value(high)}"
                                                if low is not None and high is not None else "")
    return text.replace(".", ","), []


def _findings(check: Check, results: Any, bad_types: dict[str, str]) -> list[Finding]:
    by_position: dict[int, Any] = {}
    for result in results.results:
        by_position[int(result.expectation_config.meta["nr"])] = result
    out = []
    for position, expect in enumerate(check.expectations):
        result = by_position.get(position)
        if result is None:  # not expected to happen; never let a check vanish silently
            out.append(Finding(check.table, check.name, expect.label, expect.kind, False, "nicht ausgewertet"))
            continue
        error = _exception(result)
        detail, sample = ("Fehler bei der Auswertung: " + error, []) if error else \
            _detail(expect, result.result or {}, bad_types.get(expect.column or ""))
        snake = result.expectation_config.type
        out.append(Finding(check.table, check.name, expect.label, snake, bool(result.success) and not error,
                           "" if result.success and not error else detail, [] if result.success else sample))
    return out


def _unbuilt(check: Check, exc: Exception) -> list[Finding]:
    reason = f"Prüfung nicht möglich: {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    return [Finding(check.table, check.name, e.label, re.sub(r"(?<!^)(?=[A-Z])", "_", e.kind).lower(), False, reason)
            for e in check.expectations]


def _forget_batches(source: Any) -> None:
    """Drop the frames GX keeps after a validation: the data source's execution engine caches every batch
    it validated (on sachsen 48 frames, 1.3 GiB, still alive when the realism report needs the room)."""
    manager = source.get_execution_engine().batch_manager
    manager.reset_batch_cache()
    manager.batch_data_cache.clear()


def run_checks(checks: list[Check], docs: Path | None = None,
               bad_types: dict[str, dict[str, str]] | None = None, progress: Progress | None = None) -> list[Finding]:
    """Validate every check; write Data Docs into ``docs`` (replacing what is there) if given.

    ``progress`` is told (German step, index, total) before each check and before the Data Docs.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    if docs is not None and docs.exists():
        shutil.rmtree(docs)
    context = _context(docs)
    source = context.data_sources.add_pandas("sandbox")
    run_id = RunIdentifier(run_name="sandbox-data-check")
    findings: list[Finding] = []
    for position, check in enumerate(checks):
        if progress is not None:
            progress(check.title or check.name, position, len(checks))
        asset = source.add_dataframe_asset(check.name)
        batch_definition = asset.add_batch_definition_whole_dataframe("alle_zeilen")
        suite = context.suites.add(gx.ExpectationSuite(
            name=check.name, expectations=[gx_expectation(e, i) for i, e in enumerate(check.expectations)],
            meta={"notes": {"format": "markdown", "content": [check.title or check.name]}}))
        result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE}
        if check.index:
            result_format["unexpected_index_column_names"] = check.index
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=check.name, data=batch_definition, suite=suite))
        try:
            frame = check.data()
        except Exception as exc:  # data too broken to build a cross-table frame: say so, never a traceback
            findings += _unbuilt(check, exc)
            continue
        with warnings.catch_warnings():  # GX and pandas warn about regex groups and dtypes; the report says it all
            warnings.simplefilter("ignore")
            results = definition.run(batch_parameters={"dataframe": frame}, result_format=result_format,
                                     run_id=run_id)
        del frame
        _forget_batches(source)
        findings += _findings(check, results, (bad_types or {}).get(check.table, {}))
    if docs is not None:
        if progress is not None:
            progress("Data Docs schreiben", len(checks), len(checks))
        docs.mkdir(parents=True, exist_ok=True)
        context.build_data_docs()
        harden_pages(docs)
    return findings
