"""The access sheet a trainer hands out: one line per participant with QR code, address, token, MLflow login.

A self-contained HTML page (prints on one sheet, cut into strips; the QR
codes are inline SVG from ``segno``, so the sheet works offline), written
readable by its owner only, because it holds every participant's token and
MLflow password. Nothing else prints the passwords.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.workshop.manage import Seat

__all__ = ["render_sheet", "write_sheet", "qr_svg", "DEFAULT_NAME"]

DEFAULT_NAME = "workshop"  # the --name default: the sheet then says "Workshop", not "Workshop workshop"

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1a1a1a; }
h1 { font-size: 1.4em; margin-bottom: .2em; }
p.hint { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .6em .5em; border-bottom: 1px dashed #999; vertical-align: top; }
td.url { font-family: ui-monospace, monospace; font-size: .9em; word-break: break-all; }
td.token { font-family: ui-monospace, monospace; }
td.qr svg { display: block; }
@media print { body { margin: 1cm; } a { color: inherit; text-decoration: none; } }
"""


def qr_svg(url: str, title: str) -> str:
    """The QR code of ``url`` as inline SVG (deterministic: same URL, same markup)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=2, title=title, svgclass="qr"))


def _certificate_note(fingerprint: str, own_certificate: bool) -> str:
    """What participants see about TLS: nothing for the trainer's certificate, else the fingerprint to compare."""
    if own_certificate or not fingerprint:
        return ""
    return ("<p class=\"hint\">Die Verbindung ist verschlüsselt; das Zertifikat hat die Kursleitung selbst "
            "ausgestellt, deshalb warnt der Browser beim ersten Aufruf. Stimmt der Fingerabdruck (SHA-256) in der "
            "Zertifikatsanzeige des Browsers mit diesem überein, „Risiko akzeptieren“ bzw. „Weiter“ wählen:<br>"
            f"<code>{html.escape(fingerprint)}</code></p>")


def render_sheet(workshop: str, seats: Sequence["Seat"], tracking_url: str | None,
                 created: dt.datetime | None = None, fingerprint: str = "", own_certificate: bool = False) -> str:
    """The HTML of the access sheet (German, as the participants read it)."""
    when = (created or dt.datetime.now()).strftime("%d.%m.%Y %H:%M")
    rows = []
    for seat in seats:
        url = html.escape(seat.url)
        login = (f"Benutzer {html.escape(seat.pid)}<br>Passwort {html.escape(seat.password)}" if seat.password
                 else "–")
        rows.append(f'<tr><td>{html.escape(seat.pid)}</td><td class="qr">{qr_svg(seat.url, seat.pid)}</td>'
                    f'<td class="url"><a href="{url}">{url}</a></td>'
                    f'<td class="token">{html.escape(seat.token)}</td><td class="token">{login}</td></tr>')
    mlflow = (f"<p>Gemeinsames MLflow (Experimente aller Teilnehmenden, am Rechner der Kursleitung): "
              f'<a href="{html.escape(tracking_url)}">{html.escape(tracking_url)}</a></p>') if tracking_url else ""
    title = "Workshop" if workshop == DEFAULT_NAME else f"Workshop {html.escape(workshop)}"
    return f"""<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>Zugänge – {title}</title><style>{_STYLE}</style></head>
<body>
<h1>Experimentierraum – {title}</h1>
<p class="hint">Zugänge vom {when}. Jede Zeile ist eine eigene Sandbox: QR-Code mit dem Handy oder
Laptop scannen oder die Adresse im Browser öffnen, bei Nachfrage das Token eingeben. Ihr
MLflow-Zugang ist im JupyterLab schon eingetragen; andere Teilnehmende sehen Ihre Läufe nicht.
Eigene Läufe landen im MLflow-Experiment mit Ihrer Kennung,
gleich welchen Experimentnamen ein Notebook nennt. Zurücksetzen durch die Kursleitung stellt die
Ausgangsnotebooks wieder her; Ihre Dateien bleiben im Ordner <code>backup-DATUM/</code>, Ihre
MLflow-Läufe bleiben unverändert.</p>
{_certificate_note(fingerprint, own_certificate)}
{mlflow}
<table>
<thead><tr><th>Teilnehmer/in</th><th>QR-Code</th><th>Adresse (JupyterLab)</th><th>Token</th><th>MLflow</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


def write_sheet(path: Path, text: str) -> Path:
    """Write the sheet atomically, readable by its owner only (it holds tokens)."""
    path = path.expanduser()
    if path.is_dir():
        raise SandboxError(f"{path} ist ein Ordner; bitte mit --sheet einen Dateinamen angeben, z. B. {path / 'zugaenge.html'}")
    if not path.parent.is_dir():
        raise SandboxError(f"den Ordner {path.parent} gibt es nicht; bitte anlegen oder ein anderes --sheet wählen")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
    return path
