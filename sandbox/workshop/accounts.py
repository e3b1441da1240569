"""The workshop's MLflow accounts: one user per participant, rights on their own experiment only.

The workshop's tracking server runs MLflow's basic-auth app with
``default_permission = NO_PERMISSIONS`` (see
:func:`sandbox.services.entrypoint.auth_config`): without a grant, nobody
reads, changes or deletes anything. The admin (password in the tracking
container's environment, never printed) creates every participant's user;
each participant's experiment is then created *as that participant*, which
makes them its manager. An experiment kept from an earlier start (the
volume survives ``stop``) is granted explicitly, and so is the seat's
scorecard experiment ``Bewertungen · <seat>`` if one was kept. The user store lives in the
tracking container, so every ``start`` hands out fresh passwords.

All through the REST API with the standard library: the trainer's machine
needs no MLflow server extras.
"""

from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from sandbox.errors import SandboxError
from sandbox.tracking import keys

__all__ = ["Account", "ADMIN", "new_password", "create_seats"]

ADMIN = "admin"  # the basic-auth app's admin user (auth_config)
MANAGE = "MANAGE"


def new_password() -> str:
    """A random password (MLflow wants at least 12 characters)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Account:
    """An MLflow user: name and password."""

    user: str
    password: str

    def header(self) -> str:
        return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()


def _call(url: str, path: str, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` to the server as ``account``; the answer, or HTTPError for the caller to judge."""
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": account.header()})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError:
        raise  # the caller knows which refusals are fine
    except (urllib.error.URLError, OSError) as exc:
        raise SandboxError(f"MLflow at {url} did not answer ({exc}); see `sandbox workshop status`") from None


def _refused(url: str, what: str, exc: urllib.error.HTTPError) -> SandboxError:
    body = exc.read().decode("utf-8", "replace")[:200]
    return SandboxError(f"MLflow at {url} refused {what}: {exc.code} {body}")


def _create_user(url: str, admin: Account, account: Account) -> None:
    try:
        _call(url, "/api/2.0/mlflow/users/create", admin, {"username": account.user, "password": account.password})
    except urllib.error.HTTPError as exc:
        raise _refused(url, f"user {account.user}", exc) from None


def _experiment_id(url: str, admin: Account, name: str) -> str:
    request = urllib.request.Request(
        f"{url}/api/2.0/mlflow/experiments/get-by-name?experiment_name={urllib.parse.quote(name)}",
        headers={"Authorization": admin.header()})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return str(json.loads(answer.read())["experiment"]["experiment_id"])


def _grant(url: str, admin: Account, user: str, experiment_id: str) -> None:
    """MANAGE on an existing experiment (MLflow 3.x's permission API, the older route as fallback)."""
    try:
        _call(url, "/api/3.0/mlflow/users/permissions/grant", admin,
              {"username": user, "resource_type": "experiment", "resource_id": experiment_id, "permission": MANAGE})
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise _refused(url, f"rights for {user}", exc) from None
        try:
            _call(url, "/api/2.0/mlflow/experiments/permissions/create", admin,
                  {"experiment_id": experiment_id, "username": user, "permission": MANAGE})
        except urllib.error.HTTPError as old:
            raise _refused(url, f"rights for {user}", old) from None


def create_seats(url: str, admin: Account, seats: dict[str, Account]) -> None:
    """Create each participant's user and their experiment (name -> account), rights on it alone."""
    for experiment, account in seats.items():
        _create_user(url, admin, account)
        try:
            _call(url, "/api/2.0/mlflow/experiments/create", account, {"name": experiment})
        except urllib.error.HTTPError as exc:
            if "RESOURCE_ALREADY_EXISTS" not in exc.read().decode("utf-8", "replace"):
                raise SandboxError(f"MLflow at {url} refused experiment {experiment}") from None
            _grant(url, admin, account.user, _experiment_id(url, admin, experiment))
        _grant_if_kept(url, admin, account.user, keys.scorecard_experiment(experiment))


def _grant_if_kept(url: str, admin: Account, user: str, name: str) -> None:
    """MANAGE on experiment ``name`` if an earlier start left it: the seat's scorecards
    (``Bewertungen · <seat>``, created by the participant's first ``experiment score``)."""
    try:
        found = _experiment_id(url, admin, name)
    except urllib.error.HTTPError:
        return  # none yet: the participant creates it and so manages it
    _grant(url, admin, user, found)
