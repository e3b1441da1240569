"""The German entry page of the Data Docs, readable without internet.

GX's ``index.html`` lists its pages with JavaScript and styles fetched from
CDNs; in a workshop room without internet, and under the pages'
Content-Security-Policy anywhere, it shows an empty page. The overview
replaces it as ``index.html``: plain HTML with the same policy (no script,
nothing from outside), one row per check with its counts, the deviations
found (escaped), and a link to the check's GX page, which
:func:`sandbox.quality.offline.harden_pages` made readable offline.
"""

from __future__ import annotations

import html
from pathlib import Path

from sandbox.quality.offline import CSP_TAG
from sandbox.quality.report import QualityReport

__all__ = ["write_overview", "OVERVIEW"]

OVERVIEW = "index.html"  # the entry point a browser opens; replaces GX's script-built index

_STYLE = """body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}td.n{text-align:right}
.ok{color:#1a7f37}.fail{color:#b42318;font-weight:bold}"""


def _page(docs: Path, check: str) -> str | None:
    pages = sorted((docs / "validations" / check).rglob("*.html"))
    return pages[-1].relative_to(docs).as_posix() if pages else None


def write_overview(report: QualityReport, docs: Path) -> Path:
    """Write ``docs/uebersicht.html`` for a report whose Data Docs are in ``docs``."""
    esc = html.escape
    verdict = "bestanden" if report.passed else ("nicht lesbar" if report.errors else "nicht bestanden")
    rows = []
    for name in report.tables():
        if name in report.errors:
            rows.append(f"<tr><td>{esc(name)}</td><td colspan=4 class=fail>nicht lesbar: {esc(report.errors[name])}"
                        "</td></tr>")
        checks = dict.fromkeys(f.check for f in report.findings if f.table == name)
        for check in checks:
            mine = [f for f in report.findings if f.check == check]
            failed = [f for f in mine if not f.success]
            page = _page(docs, check)
            title = esc(report.titles.get(check, check))
            link = f'<a href="{esc(page)}">{title}</a>' if page else title
            problems = "<br>".join(esc(f"{f.label}: {f.detail}" + (f" (z. B. {'; '.join(f.sample)})" if f.sample
                                                                       else "")) for f in failed)
            status = f'<span class="fail">{len(failed)}</span>' if failed else '<span class="ok">0</span>'
            rows.append(f"<tr><td>{esc(name)}</td><td>{link}</td><td class=n>{len(mine)}</td><td class=n>{status}</td>"
                        f"<td>{problems}</td></tr>")
    notes = "".join(f"<li>{esc(n)}</li>" for n in report.notes)
    total = len(report.findings)
    body = (f"<h1>Qualitätsprüfung: {esc(report.source)}</h1>"
            f"<p>Ergebnis: <b>{verdict}</b>, {total - len(report.failures)} von {total} Erwartungen erfüllt. "
            "Ein Klick auf eine Prüfung öffnet ihre Einzelseite von Great Expectations (englisch).</p>"
            "<table><tr><th>Tabelle</th><th>Prüfung</th><th>Erwartungen</th><th>verletzt</th><th>Abweichungen</th></tr>"
            + "".join(rows) + "</table>" + (f"<h2>Hinweise</h2><ul>{notes}</ul>" if notes else ""))
    path = docs / OVERVIEW
    path.write_text(f'<!DOCTYPE html><html lang="de"><head>{CSP_TAG}<meta charset="utf-8"><title>Qualitätsprüfung</title>'
                    f"<style>{_STYLE}</style></head><body>{body}</body></html>\n", encoding="utf-8")
    return path
