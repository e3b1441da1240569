"""Write the realism report as JSON and as one offline HTML page (no scripts, no external files)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from sandbox.quality.realism.report import HTML_FILE, JSON_FILE, RealismReport

__all__ = ["write_files", "render_html"]

_STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}"
          "th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}"
          "td.n{text-align:right;white-space:nowrap}tr.abweichend td{background:#fde8e8}h2{margin-top:1.5em}"
          ".quelle{color:#555;font-size:.9em}")


def render_html(report: RealismReport) -> str:
    esc = html.escape
    head = (f"<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Realismus {esc(report.source)}"
            f"</title><style>{_STYLE}</style></head><body>")
    intro = (f"<p>{esc(report.headline())}. Profil <code>{esc(report.profile)}</code>. Toleranz: feste Spanne oder "
             "vier Standardfehler der Stichprobe, je nachdem, was größer ist.</p>")
    parts = [head, f"<h1>Realismus: {esc(report.source)}</h1>", intro]
    group = None
    for row in report.rows:
        if row.gruppe != group:
            if group is not None:
                parts.append("</tbody></table>")
            group = row.gruppe
            parts.append(f"<h2>{esc(group)}</h2><table><thead><tr><th>Kennzahl</th><th>Datensatz</th>"
                         "<th>amtlicher Wert</th><th>Toleranz</th><th>Quelle</th><th>Urteil</th></tr></thead><tbody>")
        title, value, ref, tol, source, verdict = row.cells()
        cls = " class=\"abweichend\"" if not row.passed else ""
        parts.append(f"<tr{cls}><td>{esc(title)}</td><td class=\"n\">{esc(value)}</td><td class=\"n\">{esc(ref)}</td>"
                     f"<td class=\"n\">{esc(tol)}</td><td class=\"quelle\">{esc(source)}</td><td>{esc(verdict)}</td></tr>")
    if group is not None:
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_files(report: RealismReport, folder: Path) -> tuple[Path, Path]:
    """realismus.json and realismus.html in ``folder`` (deterministic: same data, same bytes)."""
    json_path, html_path = Path(folder) / JSON_FILE, Path(folder) / HTML_FILE
    json_path.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path
