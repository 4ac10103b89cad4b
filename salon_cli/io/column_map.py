"""Which of our fields each column of an import file is read as: `--map SRC=field` over a mapping
file's `[columns]`.

One column may be read as two fields (`--map Client=external_code --map Client=first_name`: a client
list that has only codes, named by the code until a fuller list arrives): both fields get the
column's value. Refused, each with a message naming the options:

- a column both skipped and read (`--map A=- --map A=x`): which one was meant cannot be guessed;
- a column read as two amounts of money (`--map Total=amount --map Total=tip`): its money would be
  counted twice, a total silently wrong; the command says which of its fields are amounts (`apart`);
- two columns of the command line read as one field (`--map A=x --map B=x`): one value would be
  lost. A mapping file may name two columns for one field (it may serve several shapes of one
  system's export); the file's header decides, and `read_csv` refuses the two when both are there.

Options given on the command line win over the mapping file, column by column: `--map A=...`
replaces every field the file gives column A.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from salon_cli.core.errors import InvalidInput

IGNORE = "-"  # `--map "Loyalty Points=-"`: a column of the file that is not imported


def column_key(name: str) -> str:
    """A column's name as mappings compare it: trimmed, one space inside, any case."""
    return " ".join(name.strip().lower().split())


class ColumnMap(dict[str, str]):
    """Column key -> the first field it is read as (what readers have always been handed), and
    `more`: the further fields of a column read as several, in the order given."""

    def __init__(self, first: Mapping[str, str] | None = None,
                 more: Mapping[str, tuple[str, ...]] | None = None) -> None:
        super().__init__(first or {})
        self.more: dict[str, tuple[str, ...]] = dict(more or {})

    def fields_of(self, key: str) -> tuple[str, ...]:
        """Every field the column (by its key) is read as; () when the mapping does not name it."""
        first = self.get(key)
        return () if first is None else (first, *self.more.get(key, ()))

    def named_fields(self) -> list[str]:
        """Every field named, first and further ones (a reader looking for its `tax:NAME` fields)."""
        return [*self.values(), *(f for fields in self.more.values() for f in fields)]


def mapped_fields(mapping: Mapping[str, str] | None) -> list[str]:
    """Every field a mapping names, for a plain dict as for a `ColumnMap`."""
    if isinstance(mapping, ColumnMap):
        return mapping.named_fields()
    return list((mapping or {}).values())


def parse_mapping(pairs: Iterable[str], *, base: Mapping[str, str | Sequence[str]] | None = None,
                  apart: Sequence[str] = ()) -> ColumnMap:
    """`--map "Nombre=first_name"` ... -> {"nombre": "first_name"} (column names folded), over `base`
    (a mapping file's columns: a field or a list of fields each); `SRC=-` skips the column. `apart`:
    the command's fields of money, which one column may not be read as twice (`tax:` is every
    `tax:NAME`). `InvalidInput` (exit 2) names the options at fault (see the module's rules)."""
    given: dict[str, list[str]] = {}
    spelled: dict[str, str] = {}  # key -> the column as first written, for the messages
    for pair in pairs:
        src, sep, field = pair.partition("=")
        if not sep or not src.strip() or not field.strip():
            raise InvalidInput(f"--map {pair!r} is not SRC=field",
                               hint="e.g. --map \"Nombre=first_name\", or SRC=- to skip a column")
        key = column_key(src)
        spelled.setdefault(key, src.strip())
        fields = given.setdefault(key, [])
        if field.strip().lower() not in (f.lower() for f in fields):
            fields.append(field.strip())
    for key, fields in given.items():
        _check_column(f"--map {spelled[key]}", fields, apart)
    _check_one_column_each(given, spelled)
    merged: dict[str, list[str]] = {}
    for name, value in (base or {}).items():
        fields = [value] if isinstance(value, str) else list(value)
        _check_column(f"the --mapping file's column {name!r}", fields, apart)
        merged[column_key(name)] = fields
    merged.update(given)
    return ColumnMap({k: f[0] for k, f in merged.items()}, {k: tuple(f[1:]) for k, f in merged.items() if len(f) > 1})


def _check_column(where: str, fields: list[str], apart: Sequence[str]) -> None:
    if IGNORE in fields and len(fields) > 1:
        other = next(f for f in fields if f != IGNORE)
        raise InvalidInput(f"{where}: both skipped (-) and read as {other}",
                           hint="map the column to its field, or to - to skip it, not both")
    money = [f for f in fields if _is_money(f, apart)]
    if len(money) > 1:
        raise InvalidInput(f"{where}: read as {money[0]} and as {money[1]} would count its money twice",
                           hint="map a column of money to one field")


def _is_money(field: str, apart: Sequence[str]) -> bool:
    name = field.lower()
    return any(name.startswith(a) if a.endswith(":") else name == a for a in apart)


def _check_one_column_each(given: dict[str, list[str]], spelled: dict[str, str]) -> None:
    """Two columns of the command line read as one field: refused, naming both options."""
    first: dict[str, str] = {}
    for key, fields in given.items():
        for field in fields:
            if field == IGNORE:
                continue
            other = first.setdefault(field.lower(), key)
            if other != key:
                raise InvalidInput(f"--map {spelled[other]}={field} and --map {spelled[key]}={field}: two columns "
                                   f"read as one field, {field}",
                                   hint=f"map one of them to {field} (and the other to - to skip it, or to "
                                        "another field)")
