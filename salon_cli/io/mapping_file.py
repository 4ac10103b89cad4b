"""`--mapping FILE.toml`: how to read another system's export, kept in a file and used again.

    # fresha-clients.toml
    date_format = "%m/%d/%Y"        # optional: otherwise detected (ambiguity is refused)
    time_format = "%I:%M:%S %p"     # optional
    encoding = "utf-16"             # optional: UTF-8 with or without a BOM by default
    decimal_separator = ","         # optional: otherwise shown by the amounts (1.234,50)

    [columns]                       # the file's column = our field; "-" skips a column
    "Client Code" = "external_code"
    "First Name" = "first_name"
    "Loyalty Points" = "-"

Options given on the command line win over the file's (`--map` over its columns).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from salon_cli.core.errors import InvalidInput

_SETTINGS = ("date_format", "time_format", "encoding", "decimal_separator")


@dataclass(frozen=True)
class MappingFile:
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    time_format: str | None = None
    encoding: str | None = None
    decimal_separator: str | None = None


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
    unknown = sorted(set(data) - {"columns", *_SETTINGS})
    if unknown:
        raise InvalidInput(f"--mapping {name}: unknown key {unknown[0]!r}",
                           hint="keys: [columns], date_format, time_format, encoding, decimal_separator")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) and v.strip() for v in columns.values()):
        raise InvalidInput(f"--mapping {name}: [columns] must map each column name to a field name (or \"-\")")
    settings = {}
    for key in _SETTINGS:
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise InvalidInput(f"--mapping {name}: {key} must be text")
        settings[key] = value
    return MappingFile(columns={str(k): v.strip() for k, v in columns.items()}, **settings)
