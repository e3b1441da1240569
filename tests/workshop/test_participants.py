"""Participant containers: ids, names, limits and the hardening every container gets."""

from __future__ import annotations

import re

import pytest

from sandbox.errors import SandboxError
from sandbox.workshop.engine import Names, check_name, participant_id
from sandbox.workshop.participants import Facts, Limits, parse_cpus, parse_memory, participant_spec


@pytest.mark.parametrize("given", ["3", "03", "tn3", "tn03", "TN03", "kurs-tn03", 3])
def test_participant_ids(given: object) -> None:
    assert participant_id(given) == "tn03"  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["0", "tn", "x3y", "", "-1"])
def test_bad_participant_ids(given: str) -> None:
    with pytest.raises(SandboxError, match="Teilnehmer/in muss"):
        participant_id(given)


@pytest.mark.parametrize("given", ["Kurs", "kurs_1", "-kurs", "k" * 41, ""])
def test_bad_workshop_names(given: str) -> None:
    with pytest.raises(SandboxError, match="--name darf nur"):
        check_name(given)


@pytest.mark.parametrize(("given", "expected"), [("2g", "2g"), ("768M", "768m"), ("262144k", "262144k")])
def test_memory(given: str, expected: str) -> None:
    assert parse_memory(given) == expected


@pytest.mark.parametrize(("given", "message"), [("2 GB", "Größe wie"), ("100m", "mindestens 256m"), ("", "Größe wie")])
def test_bad_memory(given: str, message: str) -> None:
    with pytest.raises(SandboxError, match=message):
        parse_memory(given)


def test_cpus() -> None:
    assert parse_cpus("0,5") == 0.5 and Limits(cpus=1.5).nano_cpus == 1_500_000_000
    for bad in ("viel", "0", "0.01"):
        with pytest.raises(SandboxError, match="--cpus"):
            parse_cpus(bad)


def test_participant_spec_is_isolated_and_labelled() -> None:
    names = Names("kurs")
    spec = participant_spec(names, Facts("tn02", "img", "tok", Limits("1g", 0.5, 128), "https://labor.local/tn02/",
                                         "https://127.0.0.1:443/tn02/"))
    kwargs = spec.create_kwargs()
    assert kwargs["name"] == "kurs-tn02" and kwargs["user"] == "1000:1000"
    assert kwargs["cap_drop"] == ["ALL"] and kwargs["security_opt"] == ["no-new-privileges"]
    assert kwargs["healthcheck"] == {"test": ["NONE"]}  # readiness is probed by the lifecycle, not per container
    assert kwargs["mem_limit"] == "1g" and kwargs["memswap_limit"] == "1g"
    assert kwargs["nano_cpus"] == 500_000_000 and kwargs["pids_limit"] == 128
    assert kwargs["ports"] == {} and kwargs["network"] == "kurs-netz-tn02"  # reached through the proxy only
    assert kwargs["command"] == ["lab", "--ServerApp.base_url=/tn02/"]  # the proxy's path for this participant
    assert spec.probe_url == "https://127.0.0.1:443/tn02/api"
    assert kwargs["volumes"] == {"kurs-tn02": {"bind": "/home/lab/work", "mode": "rw"}}
    assert kwargs["labels"] == {"experimentierraum.workshop": "kurs", "experimentierraum.rolle": "teilnehmer",
                                "experimentierraum.teilnehmer": "tn02"}
    env = kwargs["environment"]
    assert env["JUPYTER_TOKEN"] == "tok" and env["MLFLOW_EXPERIMENT_NAME"] == "kurs-tn02"
    assert env["MLFLOW_TRACKING_URI"] == "http://mlflow:5000" and env["LOGNAME"] == "tn02"


@pytest.mark.parametrize("host, bind, expected", [
    (None, None, ("127.0.0.1", "127.0.0.1")),  # only this machine unless the trainer opts in
    ("labor.local", None, ("0.0.0.0", "labor.local")),
    ("192.168.1.20", "192.168.1.20", ("192.168.1.20", "192.168.1.20")),
    (None, "192.168.1.20", ("192.168.1.20", "192.168.1.20")),
])
def test_host_and_bind_address(host, bind, expected) -> None:
    from sandbox.workshop.participants import parse_address

    assert parse_address(host, bind) == expected


@pytest.mark.parametrize("host, bind, message", [
    ("labor local", None, "--host braucht einen Rechnernamen"),
    ("x/../y", None, "--host braucht"),
    (None, "labor.local", "--bind braucht eine IPv4-Adresse"),
    (None, "0.0.0.0", "auch --host NAME angeben"),
])
def test_bad_host_or_bind_is_one_german_error(host, bind, message) -> None:
    from sandbox.workshop.participants import parse_address

    with pytest.raises(SandboxError, match=re.escape(message)):
        parse_address(host, bind)


def test_proxy_routes_each_participant_by_path_and_urls_name_the_host() -> None:
    from sandbox.workshop.proxy import Proxy, caddyfile, proxy_spec

    names = Names("kurs")
    proxy = Proxy("proxy:img", 8443, "0.0.0.0", "labor.local")
    assert proxy.public("tn03") == "https://labor.local:8443/tn03/"
    assert proxy.probe("tn03") == "https://127.0.0.1:8443/tn03/"  # all interfaces: probed through loopback
    assert Proxy("i", 443, "127.0.0.1", "labor.local").public("tn01") == "https://labor.local/tn01/"
    config = caddyfile(names, ["tn01", "tn02"], "labor.local")
    for pid in ("tn01", "tn02"):
        assert f"handle /{pid}/* {{\n\t\treverse_proxy kurs-{pid}:8888\n" in config
        assert f"redir /{pid} /{pid}/ 308" in config
    assert "default_sni labor.local" in config and "tls /srv/proxy/cert.pem /srv/proxy/key.pem" in config
    kwargs = proxy_spec(names, proxy).create_kwargs()
    assert kwargs["ports"] == {"8443/tcp": 8443} and kwargs["network"] == "kurs-netz"  # bare port: all interfaces
    assert kwargs["cap_drop"] == ["ALL"] and kwargs["user"] == "1000:1000"
    assert proxy_spec(names, Proxy("i", 8443, "127.0.0.1", "127.0.0.1")).create_kwargs()["ports"] == {
        "8443/tcp": ("127.0.0.1", 8443)}


def test_trainer_certificate_must_come_with_its_key(tmp_path) -> None:
    from sandbox.workshop.proxy import read_tls

    assert read_tls(None, None) is None
    with pytest.raises(SandboxError, match="nur zusammen"):
        read_tls(tmp_path / "c.pem", None)
    (tmp_path / "c.pem").write_text("kein Zertifikat")
    (tmp_path / "k.pem").write_text("kein Schlüssel")
    with pytest.raises(SandboxError, match="passen nicht zusammen oder sind kein PEM"):
        read_tls(tmp_path / "c.pem", tmp_path / "k.pem")
    with pytest.raises(SandboxError, match="gibt es nicht"):
        read_tls(tmp_path / "c.pem", tmp_path / "fehlt.pem")
