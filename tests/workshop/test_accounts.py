"""Workshop accounts: a seat's rights after a restart cover its kept run and scorecard experiments."""

from __future__ import annotations

import io
import urllib.error
from typing import Any

import pytest

from sandbox.workshop import accounts

ADMIN = accounts.Account("admin", "geheim-geheim")


def _exists_already(url: str, path: str, account: accounts.Account, body: dict[str, Any]) -> dict[str, Any]:
    if path.endswith("experiments/create"):
        raise urllib.error.HTTPError(url, 400, "exists", {}, io.BytesIO(b'{"error_code": "RESOURCE_ALREADY_EXISTS"}'))
    return {}


@pytest.mark.parametrize("kept, granted", [
    ({"kurs-tn01": "1", "Bewertungen · kurs-tn01": "2"}, ["1", "2"]),
    ({"kurs-tn01": "1"}, ["1"]),  # no scorecards yet: the participant creates (and so manages) them later
])
def test_a_restart_grants_the_kept_scorecard_experiment_too(monkeypatch: pytest.MonkeyPatch, kept: dict[str, str],
                                                             granted: list[str]) -> None:
    calls: list[dict[str, Any]] = []

    def call(url: str, path: str, account: accounts.Account, body: dict[str, Any]) -> dict[str, Any]:
        calls.append(body)
        return _exists_already(url, path, account, body)

    def experiment_id(url: str, admin: accounts.Account, name: str) -> str:
        if name not in kept:
            raise urllib.error.HTTPError(url, 404, "missing", {}, io.BytesIO(b"{}"))
        return kept[name]

    monkeypatch.setattr(accounts, "_call", call)
    monkeypatch.setattr(accounts, "_experiment_id", experiment_id)
    accounts.create_seats("http://mlflow", ADMIN, {"kurs-tn01": accounts.Account("tn01", "passwort-passwort")})
    grants = [b for b in calls if b.get("permission") == accounts.MANAGE]
    assert [(g["username"], g["resource_id"]) for g in grants] == [("tn01", i) for i in granted]
