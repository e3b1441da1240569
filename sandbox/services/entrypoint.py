"""Entrypoint of the sandbox image: ``lab``, ``tracking``, ``health`` or any other command.

One image serves every role of the container stack, so the roles are chosen
by the command (``docker run IMAGE tracking``), as official images do:

- ``lab``: JupyterLab on 0.0.0.0:8888 in ``$SANDBOX_HOME``. The token comes
  from ``JUPYTER_TOKEN``; without one it refuses to start (a lab is never
  open). An empty workspace (a fresh volume) is seeded first with the image's
  content: notebooks, templates, examples, profiles and the default dataset.
- ``tracking``: the MLflow server on 0.0.0.0:5000, artifacts served through
  the server. The backend store is ``MLFLOW_BACKEND_STORE_URI``, else
  PostgreSQL built from ``POSTGRES_HOST``/``_USER``/``_PASSWORD``/``_DB`` (the
  password URL-quoted, never on a command line a user writes), else SQLite in
  the container's ``/home/lab/mlflow``. ``MLFLOW_ALLOWED_HOSTS`` names the Host
  headers it answers (default: ``tracking`` and loopback), so that
  ``http://tracking:5000`` works from other containers. With
  ``MLFLOW_AUTH_ADMIN_PASSWORD`` set (the workshop server), it runs MLflow's
  basic-auth app: users live as long as the container (every workshop start
  makes them anew), nobody may read an experiment they were not given
  (:func:`auth_config`).
- ``health``: exit 0 if the role's server answers (the image's HEALTHCHECK).

Anything else is executed as given (``docker run IMAGE bash``). The server
command lines are those of ``sandbox up`` (:mod:`sandbox.services.commands`),
bound to all interfaces of the container instead of 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from sandbox.services.commands import jupyter_command, lab_environment, mlflow_command

__all__ = ["main", "lab_command", "tracking_command", "backend_store_uri", "seed_workspace", "auth_config"]

ALL_INTERFACES = "0.0.0.0"
LAB_PORT = 8888
TRACKING_PORT = 5000
DEFAULT_ALLOWED_HOSTS = "tracking,tracking:*"
LOOPBACK_HOSTS = "localhost,localhost:*,127.0.0.1,127.0.0.1:*"
MLFLOW_HOME = Path("/home/lab/mlflow")
AUTH_HOME = Path("/tmp/mlflow-auth")  # the container's own layer: the user store ends with the container


def _home() -> Path:
    return Path(os.environ.get("SANDBOX_HOME", "/home/lab/work"))


def _app_workspace() -> Path:
    return Path(os.environ.get("SANDBOX_APP", "/opt/experimentierraum")) / "workspace"


def seed_workspace(home: Path, source: Path) -> bool:
    """Copy the image's content into an empty workspace; False if it already holds a workspace."""
    if (home / "synthetic_data" / "profiles").is_dir():
        return False
    home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, home, dirs_exist_ok=True)
    return True


def lab_command(home: Path, port: int = LAB_PORT) -> list[str]:
    """JupyterLab on all interfaces of the container, opening ``notebooks/``; the token comes from the env."""
    return jupyter_command(home, ALL_INTERFACES, port)


def backend_store_uri(env: dict[str, str]) -> str:
    """The MLflow backend store: explicit URI, else PostgreSQL from POSTGRES_*, else SQLite in MLFLOW_HOME."""
    if env.get("MLFLOW_BACKEND_STORE_URI"):
        return env["MLFLOW_BACKEND_STORE_URI"]
    host = env.get("POSTGRES_HOST", "")
    if host:
        user = quote(env.get("POSTGRES_USER", "postgres"), safe="")
        password = quote(env.get("POSTGRES_PASSWORD", ""), safe="")
        database = quote(env.get("POSTGRES_DB", env.get("POSTGRES_USER", "postgres")), safe="")
        port = env.get("POSTGRES_PORT", "5432")
        return f"postgresql+psycopg://{user}:{password}@{host}:{port}/{database}"
    return f"sqlite:///{MLFLOW_HOME / 'mlflow.db'}"


def tracking_command(env: dict[str, str], port: int = TRACKING_PORT) -> list[str]:
    """The MLflow server: backend store as :func:`backend_store_uri`, artifacts proxied from MLFLOW_HOME."""
    hosts = ",".join(h for h in (env.get("MLFLOW_ALLOWED_HOSTS") or DEFAULT_ALLOWED_HOSTS, LOOPBACK_HOSTS) if h)
    command = mlflow_command(backend_store_uri(env), str(MLFLOW_HOME / "artifacts"), ALL_INTERFACES, port,
                             serve_artifacts=True, workers=env.get("MLFLOW_WORKERS", "1"), allowed_hosts=hosts)
    return command + (["--app-name", "basic-auth"] if env.get("MLFLOW_AUTH_CONFIG_PATH") else [])


def auth_config(home: Path = AUTH_HOME) -> Path:
    """Write the basic-auth app's configuration: user store in ``home``, no access without a grant.

    The admin's password stays in the environment (``MLFLOW_AUTH_ADMIN_PASSWORD``,
    read by MLflow on the first start); the file holds no secret.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / "basic_auth.ini"
    path.write_text("[mlflow]\ndefault_permission = NO_PERMISSIONS\n"
                    f"database_uri = sqlite:///{home / 'basic_auth.db'}\nadmin_username = admin\n"
                    "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
                    "grant_default_workspace_access = false\n", encoding="utf-8")
    return path


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=4) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def health() -> int:
    """0 if JupyterLab or the MLflow server of this container answers, else 1."""
    probes = (f"http://127.0.0.1:{LAB_PORT}/api", f"http://127.0.0.1:{TRACKING_PORT}/health")
    return 0 if any(_answers(url) for url in probes) else 1


def main(argv: list[str] | None = None) -> int:
    """Run the role named by the first argument (default ``lab``); replaces this process."""
    args = list(sys.argv[1:] if argv is None else argv) or ["lab"]
    role, rest = args[0], args[1:]
    if role == "health":
        return health()
    if role == "lab":
        if not os.environ.get("JUPYTER_TOKEN", "").strip():
            print("Fehler: JUPYTER_TOKEN ist nicht gesetzt; JupyterLab läuft nie ohne Token "
                  "(in .env setzen oder mit -e JUPYTER_TOKEN=...)", file=sys.stderr)
            return 2
        home = _home()
        if seed_workspace(home, _app_workspace()):
            print(f"Arbeitsbereich {home} mit den Inhalten des Images angelegt", flush=True)
        os.environ.update(lab_environment(Path(tempfile.gettempdir()) / "experimentierraum-lab"))
        command = lab_command(home) + rest
    elif role == "tracking":
        os.environ.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        (MLFLOW_HOME / "artifacts").mkdir(parents=True, exist_ok=True)
        if os.environ.get("MLFLOW_AUTH_ADMIN_PASSWORD"):
            os.environ["MLFLOW_AUTH_CONFIG_PATH"] = str(auth_config())
        command = tracking_command(dict(os.environ)) + rest
    else:
        command = args
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"Fehler: {command[0]!r} lässt sich nicht starten: {exc}", file=sys.stderr)
    return 127


if __name__ == "__main__":
    raise SystemExit(main())
