"""Where a new dataset may go, and moving it into place so that no kill loses data.

Rules (DESIGN.md, CLI contract): a target that exists is replaced only with
``--force`` and only if it is a dataset this tool wrote (its manifest says so);
a target is never inside another dataset. The new dataset is written into a
hidden ``.<name>.tmp-<pid>-*`` folder beside the target, then swapped in with
two renames (old -> ``.<name>.old-<pid>``, new -> target).

A process killed at any point leaves only hidden folders named with its
process id. :func:`recover` runs before every generation: it deletes the
temporary folders of dead processes and finishes an interrupted swap (the old
dataset goes back in place if the new one never arrived, else it is removed).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from sandbox.errors import SandboxError

__all__ = ["is_dataset", "check_target", "recover", "temporary_folder", "swap_into_place", "MANIFEST"]

MANIFEST = "manifest.json"
_HIDDEN = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)(?:-.*)?$")


def is_dataset(folder: Path) -> bool:
    """True if ``folder`` holds a manifest written by this tool (format and generator version, tables)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"format_version", "generator_version", "tables"} <= set(manifest)


def check_target(target: Path, force: bool) -> Path:
    """The absolute target folder, after the --out/--force rules; raises a German one-line error otherwise."""
    target = Path(os.path.abspath(target))
    for parent in target.parents:
        if is_dataset(parent):
            raise SandboxError(f"{target} läge im Datensatz {parent}; bitte ein --out außerhalb davon wählen")
    if not target.exists() and not target.is_symlink():
        return target
    if target.is_symlink() or not target.is_dir():
        raise SandboxError(f"{target} gibt es schon und ist kein Ordner; bitte ein anderes --out wählen")
    if not force:
        raise SandboxError(f"{target} gibt es schon; mit --force ersetzen oder ein anderes --out wählen")
    if not is_dataset(target):
        raise SandboxError(f"{target} ist kein mit sandbox erzeugter Datensatz (keine passende manifest.json); "
                           "--force ersetzt nur Datensätze, bitte ein anderes --out wählen")
    return target


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (another user's process counts: kill answers EPERM)."""
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno != errno.ESRCH
    return True


def recover(folder: Path) -> list[str]:
    """Clean up after killed generations in ``folder``; returns one German line per repair."""
    repairs: list[str] = []
    if not folder.is_dir():
        return repairs
    for hidden in sorted(folder.iterdir()):
        found = _HIDDEN.match(hidden.name)
        if found is None or not hidden.is_dir() or _alive(int(found["pid"])):
            continue
        target = folder / found["name"]
        if found["kind"] == "old" and not target.exists():
            hidden.rename(target)
            repairs.append(f"unterbrochenen Austausch zurückgerollt: {target.name} wiederhergestellt")
        else:
            shutil.rmtree(hidden, ignore_errors=True)
            repairs.append(f"Reste eines abgebrochenen Laufs entfernt: {hidden.name}")
    return repairs


def temporary_folder(target: Path) -> Path:
    """A fresh hidden folder beside ``target``, readable like any folder the user creates."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        recover(target.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; a dataset folder is shared like any other
        return tmp
    except OSError as exc:
        raise SandboxError(f"in {target.parent} lässt sich nicht schreiben ({exc.strerror}); "
                           "bitte ein beschreibbares --out wählen") from None


def swap_into_place(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``; an existing target is moved aside first and removed last."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
