"""Synthetic municipality generators: one module per table.

``TABLES`` is the explicit registry, parents before children. Each module
exposes ``TABLE`` (its :class:`~sandbox.synth.schema.Table`) and
``generate(ctx) -> pandas.DataFrame``.
"""

from __future__ import annotations

from types import ModuleType

from sandbox.synth.tables import anschriften, einwohner, gemeinden, gewerbe, haushalte, meldeereignisse
from sandbox.synth.tables import ansprueche, termine
from sandbox.synth.tables import antraege, leistungen, vorgangsereignisse
from sandbox.synth.tables import buergeranfragen
from sandbox.synth.schema import Table

__all__ = ["TABLES", "table_schema", "schemas"]

TABLES: dict[str, ModuleType] = {
    module.TABLE.name: module
    for module in (gemeinden, anschriften, haushalte, einwohner, meldeereignisse, gewerbe,
                   leistungen, ansprueche, termine, antraege, vorgangsereignisse, buergeranfragen)
}


def table_schema(name: str) -> Table:
    """The schema of a registered table (``KeyError`` if unknown)."""
    return TABLES[name].TABLE


def schemas() -> list[Table]:
    return [module.TABLE for module in TABLES.values()]
