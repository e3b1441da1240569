"""`sandbox data load --into postgresql://...` against a real PostgreSQL in a container."""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from sandbox import datasets
from sandbox.errors import SandboxError
from sandbox.synth import TABLES
from sandbox.datasets.postgres import load_dataset

from tests.containers import SESSION, free_ports
from tests.support import cli

pytestmark = pytest.mark.containers


@pytest.fixture(scope="module")
def database(engine: Any, postgres_image: str) -> Iterator[str]:
    """A fresh PostgreSQL container on 127.0.0.1; its URL (the password has characters URLs must quote)."""
    import psycopg

    password = "pw" + secrets.token_hex(6)
    port = free_ports(1, engine) + 1
    container = engine.containers.run(
        postgres_image, detach=True, name=f"{SESSION}-db-{secrets.token_hex(3)}",
        environment={"POSTGRES_PASSWORD": password, "POSTGRES_USER": "labor", "POSTGRES_DB": "daten"},
        ports={"5432/tcp": ("127.0.0.1", port)}, labels={"experimentierraum.workshop": f"{SESSION}-db"})
    url = f"postgresql://labor:{password}@127.0.0.1:{port}/daten"
    deadline = time.monotonic() + 120
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3) as con:
                con.execute("select 1")
            break
        except psycopg.Error:
            container.reload()
            if container.status == "exited" or time.monotonic() > deadline:
                pytest.fail(f"PostgreSQL did not start: {container.logs(tail=20).decode()}")
            time.sleep(0.5)
    yield url
    container.remove(force=True, v=True)  # with the anonymous data volume


@pytest.fixture(scope="module")
def loaded(database: str, musterstadt: datasets.Dataset) -> tuple[str, str]:
    """The default dataset loaded once through the CLI: (database URL, what the command printed)."""
    code, out, err = cli(None, "data", "load", str(musterstadt.path), "--into", database)
    assert code == 0, err
    return database, out


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> datasets.Dataset:
    """A small dataset (1,000 residents) for loads that only need to be quick."""
    from sandbox.synth.writer import generate_dataset

    return datasets.open(generate_dataset("musterstadt", 5, population=1000,
                                          out=tmp_path_factory.mktemp("klein") / "musterstadt-n1000-s5"))


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as con:
        return con.execute(sql).fetchall()


def test_every_table_is_loaded_with_its_rows(loaded: tuple[str, str], musterstadt: datasets.Dataset) -> None:
    database, out = loaded
    assert "Schema synth" in out and database.split(":")[2].split("@")[0] not in out  # password never printed
    counts = {t: _query(database, f'select count(*) from synth."{t}"')[0][0] for t in musterstadt.tables}
    assert counts == {t: info["rows"] for t, info in musterstadt.manifest["tables"].items()}
    assert _query(database, "select datensatz, pruefsumme from synth._datensatz") == [
        (musterstadt.path.name, musterstadt.digest)]


def test_types_keys_and_comments_follow_the_schemas(loaded: tuple[str, str]) -> None:
    database = loaded[0]
    columns = {(t, c): (dtype, nullable) for t, c, dtype, nullable in _query(
        database, "select table_name, column_name, data_type, is_nullable from information_schema.columns "
                  "where table_schema = 'synth'")}
    schema = TABLES["einwohner"].TABLE
    assert columns[("einwohner", "einwohner_id")] == ("bigint", "NO")
    assert columns[("einwohner", "geburtsdatum")] == ("date", "NO")
    assert columns[("einwohner", "abmeldedatum")] == ("date", "YES")
    assert columns[("einwohner", "familienname")] == ("text", "NO")
    for col in schema.columns:
        assert columns[("einwohner", col.name)][1] == ("YES" if col.nullable else "NO")
    keys = _query(database, "select conrelid::regclass::text, contype from pg_constraint "
                            "where connamespace = 'synth'::regnamespace")
    assert ("synth.einwohner", "p") in keys and ("synth.einwohner", "f") in keys
    comment = _query(database, "select col_description('synth.einwohner'::regclass, 1)")[0][0]
    assert comment == schema.columns[0].description
    # a join across a foreign key works in SQL
    assert _query(database, "select count(*) from synth.einwohner e join synth.haushalte h using (haushalt_id)")[0][0] > 0


def test_loading_again_replaces_instead_of_adding(database: str, small: datasets.Dataset) -> None:
    first = load_dataset(small, database, schema="zweimal")
    second = load_dataset(small, database, schema="zweimal")
    assert first.rows == second.rows == {t: i["rows"] for t, i in small.manifest["tables"].items()}
    assert _query(database, "select count(*) from zweimal.einwohner")[0][0] == first.rows["einwohner"]
    assert _query(database, "select count(*) from zweimal._datensatz")[0][0] == 1


def test_an_unreadable_dataset_changes_nothing(loaded: tuple[str, str], musterstadt: datasets.Dataset,
                                               tmp_path: Path) -> None:
    database = loaded[0]
    broken = tmp_path / musterstadt.path.name
    shutil.copytree(musterstadt.path, broken)
    last = list(musterstadt.manifest["tables"])[-1]
    (broken / musterstadt.manifest["tables"][last]["file"]).write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
    with pytest.raises(SandboxError, match=f"{broken} lässt sich nicht lesen.*bitte neu erzeugen"):
        load_dataset(datasets.open(broken), database)
    assert _query(database, "select pruefsumme from synth._datensatz") == [(musterstadt.digest,)]


def test_a_failing_load_rolls_back_to_the_previous_tables(database: str, small: datasets.Dataset,
                                                         tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    load_dataset(small, database, schema="zurueck")
    broken = tmp_path / small.path.name
    shutil.copytree(small.path, broken)
    households = pq.read_table(broken / "haushalte.parquet").to_pandas()
    households.loc[0, "anschrift_id"] = -1  # an address that does not exist: the foreign key check fails
    households.to_parquet(broken / "haushalte.parquet", index=False)
    with pytest.raises(SandboxError, match="fehlgeschlagen, nichts geändert: .*foreign key"):
        load_dataset(datasets.open(broken), database, schema="zurueck")
    assert _query(database, "select min(anschrift_id) from zurueck.haushalte")[0][0] > 0
    assert _query(database, "select count(*) from zurueck.haushalte")[0][0] == small.manifest["tables"]["haushalte"]["rows"]


def test_clear_errors(database: str, engine: Any, musterstadt: datasets.Dataset,
                      capsys: pytest.CaptureFixture[str]) -> None:
    port = free_ports(1, engine) + 1
    for url, message in ((f"postgresql://x:geheim@127.0.0.1:{port}/db", "keine Verbindung zu PostgreSQL unter "
                          f"postgresql://x:***@127.0.0.1:{port}/db"),
                         ("mysql://x@localhost/db", "--into muss eine PostgreSQL-Adresse sein")):
        code, _, err = cli(capsys, "data", "load", str(musterstadt.path), "--into", url)
        assert code == 2 and message in err and "geheim" not in err and err.count("\n") == 1
    with pytest.raises(SandboxError, match="--schema muss"):
        load_dataset(musterstadt, database, schema="Drop Table")
