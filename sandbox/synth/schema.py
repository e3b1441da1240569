"""Column and table declarations shared by generators, quality suites and data cards.

Each table module declares one :class:`Table` next to its generator. The same
declaration drives the Arrow schema of the written file, the German data card,
``sandbox data describe``, the Great Expectations suites, the DuckDB views and
the PostgreSQL tables, so a column is described exactly once. Its logical
type names one record in :mod:`sandbox.synth.dtypes`; its roles say what the
privacy, leak, Stichtag and date-order checks do with it, so those checks
read the schema instead of keeping lists of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, AbstractSet, Any

if TYPE_CHECKING:  # pyarrow is imported lazily: `sandbox --help` must stay fast
    import pandas as pd
    import pyarrow as pa

from sandbox.synth.dtypes import TYPES

__all__ = ["Column", "Table", "After", "CodeList", "ROLES", "QUASI_IDENTIFIER", "SENSITIVE", "GIVEN_NAMES", "FAMILY_NAME",
           "BIRTH_DATE", "PAST", "EVENT_WINDOW"]

# Column roles: what the checks beyond one column's values do with it.
#: singles a person out together with the other quasi-identifiers (k-anonymity); a date counts by year
#: in the usual combination and by day in the strict one
QUASI_IDENTIFIER = "quasi_identifier"
#: disclosed for everybody in a group whose records all share one value (l-diversity)
SENSITIVE = "sensitive"
#: a person's given names, family name and birth date: together in a free text they identify the person
GIVEN_NAMES = "given_names"
FAMILY_NAME = "family_name"
BIRTH_DATE = "birth_date"
#: a date that records the past: never after the profile's Stichtag
PAST = "past"
#: a date inside the profile's event years before the Stichtag
EVENT_WINDOW = "event_window"
ROLES = frozenset({QUASI_IDENTIFIER, SENSITIVE, GIVEN_NAMES, FAMILY_NAME, BIRTH_DATE, PAST, EVENT_WINDOW})


@dataclass(frozen=True)
class After:
    """A date that is never before another date of the same record (an empty value is open)."""

    column: str
    label: str  # German, what the check says: "Einzug nicht vor der Geburt"


@dataclass(frozen=True)
class CodeList:
    """An official code list: each code next to its German label, with the list's source."""

    name: str
    pairs: tuple[tuple[str, str], ...]
    quelle: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.pairs)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.pairs)

    def label_column(self, name: str, description: str, **kwargs: Any) -> "Column":
        """The column of readable labels."""
        return Column(name, "string", description, allowed=self.labels, **kwargs)

    def code_column(self, name: str, of: str, **kwargs: Any) -> "Column":
        """The column of codes beside the label column ``of``."""
        return Column(name, "string", f"Schlüssel zu `{of}` ({self.name}; {self.quelle})", allowed=self.codes,
                      code_list=self, code_of=of, **kwargs)


@dataclass(frozen=True)
class Column:
    """One column: name (German, snake_case, ASCII), type and the rules it obeys."""

    name: str
    dtype: str
    description: str
    nullable: bool = False
    unique: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    references: str | None = None  # "table.column" this foreign key resolves to
    min: float | str | None = None
    max: float | str | None = None
    example: str | None = None
    roles: AbstractSet[str] = frozenset()  # see the role constants above; held as a frozenset
    after: After | None = None
    code_list: CodeList | None = None  # the official code list whose codes this column holds
    code_of: str | None = None  # the label column these codes belong to

    def __post_init__(self) -> None:
        if self.dtype not in TYPES:
            raise ValueError(f"column {self.name}: unknown dtype {self.dtype!r}")
        object.__setattr__(self, "roles", frozenset(self.roles))
        if not self.roles <= ROLES:
            raise ValueError(f"column {self.name}: unknown roles {sorted(self.roles - ROLES)}")
        if not self.name.isascii() or self.name != self.name.lower():
            raise ValueError(f"column {self.name}: names are lowercase ASCII snake_case")

    @property
    def parent_table(self) -> str | None:
        return self.references.split(".", 1)[0] if self.references else None

    @property
    def type_label(self) -> str:
        """The German name of the column's type ("Datum")."""
        return TYPES[self.dtype].label

    def arrow_type(self) -> "pa.DataType":
        return TYPES[self.dtype].arrow()

    def rules(self) -> list[str]:
        """The column's rules in German, for data cards and `data describe`."""
        out: list[str] = []
        if self.unique:
            out.append("eindeutig")
        out.append("darf leer sein" if self.nullable else "nie leer")
        if self.code_list is not None:
            out.append("Schlüssel: " + ", ".join(f"{c} = {label}" for c, label in self.code_list.pairs))
        elif self.allowed:
            out.append("Werte: " + ", ".join(self.allowed))
        if self.pattern:
            out.append(f"Muster: `{self.pattern}`")
        if self.references:
            out.append(f"verweist auf `{self.references}`")
        if self.min is not None:
            out.append(f"min {self.min}")
        if self.max is not None:
            out.append(f"max {self.max}")
        return out


@dataclass(frozen=True)
class Table:
    """A generated table: its columns, key, and what the data card says of it."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: str | None = None
    method: str = ""  # how it is generated, German, for the data card
    extra_parents: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(names) != len(set(names)):
            raise ValueError(f"table {self.name}: duplicate column names")
        if self.primary_key is not None and self.primary_key not in names:
            raise ValueError(f"table {self.name}: primary key {self.primary_key} is no column")
        for col in self.columns:
            if col.after is not None and col.after.column not in names:
                raise ValueError(f"table {self.name}, column {col.name}: after {col.after.column}, which is no column")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def with_role(self, role: str) -> list[Column]:
        """The columns that carry ``role``, in schema order."""
        return [c for c in self.columns if role in c.roles]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def parents(self) -> tuple[str, ...]:
        """Tables that must exist before this one: foreign keys plus declared extras."""
        seen: list[str] = []
        for col in self.columns:
            parent = col.parent_table
            if parent and parent != self.name and parent not in seen:
                seen.append(parent)
        for parent in self.extra_parents:
            if parent not in seen:
                seen.append(parent)
        return tuple(seen)

    def arrow_schema(self) -> "pa.Schema":
        import pyarrow as pa

        return pa.schema(
            [pa.field(c.name, c.arrow_type(), nullable=c.nullable) for c in self.columns]
        )

    def to_arrow(self, frame: "pd.DataFrame") -> "pa.Table":
        """Convert a generator's DataFrame into an Arrow table of exactly this schema.

        Raises ``ValueError`` naming the column when the frame does not fit, so
        a generator bug is caught before anything is written.
        """
        import pyarrow as pa

        missing = [c for c in self.column_names if c not in frame.columns]
        extra = [c for c in frame.columns if c not in self.column_names]
        if missing or extra:
            raise ValueError(f"table {self.name}: missing columns {missing}, unexpected {extra}")
        arrays = []
        for col in self.columns:
            values: Any = frame[col.name]
            try:
                arr = pa.array(values, from_pandas=True)
                arr = arr.cast(col.arrow_type())
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
                raise ValueError(f"table {self.name}, column {col.name}: {exc}") from exc
            if not col.nullable and arr.null_count:
                raise ValueError(f"table {self.name}, column {col.name}: {arr.null_count} nulls")
            arrays.append(arr)
        return pa.Table.from_arrays(arrays, schema=self.arrow_schema())
