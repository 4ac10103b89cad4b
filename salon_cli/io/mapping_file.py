"""`--mapping FILE.toml`: how to read another system's export, kept in a file and used again.

    # fresha-clients.toml
    date_format = "%m/%d/%Y"        # optional: otherwise detected (ambiguity is refused)
    time_format = "%I:%M:%S %p"     # optional
    encoding = "utf-16"             # optional: UTF-8 with or without a BOM by default
    decimal_separator = ","         # optional: otherwise shown by the amounts (1.234,50)

    [columns]                       # the file's column = our field; "-" skips a column
    "Client Code" = ["external_code", "first_name"]   # one column read as two fields
    "First Name" = "first_name"
    "Loyalty Points" = "-"

A few of an import's own options can be kept too, read by the import they belong to:
`amount_before_tax = true|false` (sales: the amounts are before the tax columns, or include them),
`status = "no_show"` (appointments: every row has this status), `default_duration = 30` (services
listed without a length).

Options given on the command line win over the file's (`--map` over its columns). `salon import ...
--dry-run --save-mapping FILE` writes such a file (`dump`): every column of the file read, and the
formats the import found.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from salon_cli.core.errors import InvalidInput

_SETTINGS = ("date_format", "time_format", "encoding", "decimal_separator")
# an import's own options a mapping file may keep, and the type each takes
FLAGS: dict[str, type] = {"amount_before_tax": bool, "status": str, "default_duration": int}
_FIRST_LINE = "# salon import mapping"  # how `is_mapping` knows a file `dump` wrote


@dataclass(frozen=True)
class MappingFile:
    columns: dict[str, str | list[str]] = field(default_factory=dict)
    date_format: str | None = None
    time_format: str | None = None
    encoding: str | None = None
    decimal_separator: str | None = None
    flags: dict[str, Any] = field(default_factory=dict)  # amount_before_tax, status, default_duration


def load(path: str | Path) -> MappingFile:
    """The mapping file at `path`, or `InvalidInput` (exit 2) naming what is wrong with it."""
    name = str(path)
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except OSError as exc:
        raise InvalidInput(f"cannot read --mapping {name}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"--mapping {name} is not TOML: {exc}") from None
    return _parse(data, f"--mapping {name}")


def _parse(data: dict[str, Any], where: str) -> MappingFile:
    unknown = sorted(set(data) - {"columns", *_SETTINGS, *FLAGS})
    if unknown:
        raise InvalidInput(f"{where}: unknown key {unknown[0]!r}",
                           hint="keys: [columns], " + ", ".join((*_SETTINGS, *FLAGS)))
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(_is_fields(v) for v in columns.values()):
        raise InvalidInput(f"{where}: [columns] must map each column name to a field name (or \"-\"), "
                           "or to a list of field names")
    settings = {}
    for key in _SETTINGS:
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise InvalidInput(f"{where}: {key} must be text")
        settings[key] = value
    flags = {}
    for key, kind in FLAGS.items():
        value = data.get(key)
        if value is None:
            continue
        if type(value) is not kind or (kind is str and not value.strip()):
            raise InvalidInput(f"{where}: {key} must be " + {bool: "true or false", str: "text",
                                                                 int: "a whole number"}[kind])
        flags[key] = value.strip() if kind is str else value
    return MappingFile(columns={str(k): v.strip() if isinstance(v, str) else [f.strip() for f in v]
                                for k, v in columns.items()}, flags=flags, **settings)


def _is_fields(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def is_mapping(head: str) -> bool:
    """Recognise a mapping file `dump` wrote (its first line says so), which `--save-mapping` may replace."""
    return head.startswith(_FIRST_LINE)


def dump(mapping: MappingFile, *, source: str | None = None) -> str:
    """The mapping as TOML that `load` reads back: settings and flags first, then [columns]."""
    lines = [_FIRST_LINE + (f" (written from {_one_line(source)})" if source else ""),
             "# use it again: salon import ... FILE --mapping THIS_FILE (options given there win)"]
    for spec in fields(mapping):
        if spec.name in _SETTINGS and getattr(mapping, spec.name) is not None:
            lines.append(f"{spec.name} = {_toml(getattr(mapping, spec.name))}")
    lines += [f"{key} = {_toml(value)}" for key, value in mapping.flags.items() if value is not None]
    lines += ["", "[columns]  # the file's column = our field (a list: read as each); \"-\" skips it"]
    lines += [f"{_toml(column)} = {_toml(target)}" for column, target in mapping.columns.items()]
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + "".join(_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if _control(c) else c) for c in str(value)) + '"'


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _control(c: str) -> bool:
    """What TOML's basic strings may not hold as it is."""
    return ord(c) < 0x20 or ord(c) == 0x7F


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)
