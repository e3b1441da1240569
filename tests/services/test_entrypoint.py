"""The image's entrypoint: roles, the MLflow backend from the environment, seeding a workspace."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from sandbox.services import entrypoint


def test_lab_refuses_to_start_without_a_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("JUPYTER_TOKEN", "  ")
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path / "work"))
    assert entrypoint.main(["lab"]) == 2
    assert "JUPYTER_TOKEN ist nicht gesetzt" in capsys.readouterr().err
    assert not (tmp_path / "work").exists()  # nothing seeded, nothing started


def test_backend_store_from_postgres_variables_quotes_the_password() -> None:
    env = {"POSTGRES_HOST": "db", "POSTGRES_USER": "lab", "POSTGRES_PASSWORD": "p@ss:w/rd%", "POSTGRES_DB": "er"}
    uri = entrypoint.backend_store_uri(env)
    parts = urlsplit(uri)
    assert parts.scheme == "postgresql+psycopg" and parts.hostname == "db" and parts.port == 5432
    assert unquote(parts.password or "") == "p@ss:w/rd%" and parts.path == "/er"


def test_backend_store_explicit_uri_wins_and_sqlite_is_the_fallback() -> None:
    assert entrypoint.backend_store_uri({"MLFLOW_BACKEND_STORE_URI": "sqlite:////x.db", "POSTGRES_HOST": "db"}) == "sqlite:////x.db"
    assert entrypoint.backend_store_uri({}).startswith("sqlite:////home/lab/mlflow/")


def test_tracking_serves_artifacts_and_always_allows_loopback() -> None:
    command = entrypoint.tracking_command({"MLFLOW_ALLOWED_HOSTS": "tracking,tracking:*"})
    hosts = command[command.index("--allowed-hosts") + 1].split(",")
    assert {"tracking", "tracking:*", "127.0.0.1:*", "localhost:*"} <= set(hosts)
    assert "--serve-artifacts" in command and command[command.index("--host") + 1] == "0.0.0.0"


def test_seed_workspace_copies_once(tmp_path: Path) -> None:
    source = tmp_path / "image"
    (source / "synthetic_data" / "profiles").mkdir(parents=True)
    (source / "notebooks").mkdir()
    (source / "notebooks" / "a.ipynb").write_text("{}")
    home = tmp_path / "home"
    assert entrypoint.seed_workspace(home, source)
    (home / "notebooks" / "a.ipynb").write_text("mine")
    assert not entrypoint.seed_workspace(home, source)  # a workspace is never overwritten
    assert (home / "notebooks" / "a.ipynb").read_text() == "mine"



def test_auth_config_grants_nothing_by_default_and_holds_no_secret(tmp_path: Path) -> None:
    import configparser

    path = entrypoint.auth_config(tmp_path / "auth")
    config = configparser.ConfigParser()
    config.read(path)
    assert config["mlflow"]["default_permission"] == "NO_PERMISSIONS"
    assert config["mlflow"]["database_uri"] == f"sqlite:///{tmp_path / 'auth' / 'basic_auth.db'}"
    assert "admin_password" not in config["mlflow"]  # the password stays in the environment
    plain = entrypoint.tracking_command({"MLFLOW_BACKEND_STORE_URI": "sqlite:////tmp/m.db"})
    secured = entrypoint.tracking_command({"MLFLOW_BACKEND_STORE_URI": "sqlite:////tmp/m.db",
                                           "MLFLOW_AUTH_CONFIG_PATH": str(path)})
    assert "--app-name" not in plain and secured[-2:] == ["--app-name", "basic-auth"]
