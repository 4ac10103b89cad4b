"""Write docs/cli.md, the command reference, from the command tree itself (as sqlite-utils does with cog),
so that it cannot drift from `--help`: `python scripts/cli_reference.py` (or `--check`, exit 1 when the
file is stale; tests/system/test_cli_reference.py runs that check).

Each command gets its usage, its help as written (an `Example:` line becomes a shell block) and a table
of its arguments and options, read from the click objects rather than the rendered help, so the page
does not depend on the terminal's width or colours.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
HEAD = """# Command reference

Generated from the commands themselves by `scripts/cli_reference.py`; do not edit by hand (a test fails
when this page and the commands disagree). `salon COMMAND --help` says the same on a terminal.
"""


def _commands(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    if getattr(command, "hidden", False):
        return
    yield path, command
    for name in sorted(getattr(command, "commands", {}) or {}):
        yield from _commands(command.commands[name], [*path, name])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _help(text: str) -> list[str]:
    lines, out = inspect.cleandoc(text or "").splitlines(), []
    for line in lines:
        if line.strip() == "\b":
            continue
        if line.startswith("Example:"):
            out += ["", "```sh", line.removeprefix("Example:").strip(), "```", ""]
        else:
            out.append(line)
    return out


def _rows(command: Any, ctx: Any) -> list[tuple[str, str]]:
    rows = []
    for param in command.get_params(ctx):
        if param.name == "help":
            continue
        if param.param_type_name == "argument":  # its name as the usage line says it, and its help
            meaning = getattr(param, "help", None) or ""
            rows.append(((param.name or "").upper(), f"{meaning}  [required]".strip() if param.required else meaning))
            continue
        record = param.get_help_record(ctx)
        if record is not None:
            rows.append((record[0], record[1]))
    return rows


def render() -> str:
    import click
    import typer

    import salon_cli.cli.app as root

    root._register()  # every command, as `salon --help` loads them
    tree = typer.main.get_command(root.app)
    parts = [HEAD]
    for path, command in _commands(tree, ["salon"]):
        ctx = click.Context(command, info_name=" ".join(path), terminal_width=10_000, max_content_width=10_000)
        usage = command.get_usage(ctx).removeprefix("Usage: ")
        usage = " ".join(re.sub(r"\{(\w+)\}", lambda m: m.group(1).upper(), usage).split())  # APPOINTMENT_ID
        parts += ["", f"## {' '.join(path)}", "", f"`{usage}`", ""]
        parts += _help(command.help or "")
        rows = _rows(command, ctx)
        if rows:
            parts += ["", "| argument or option | meaning |", "|---|---|"]
            parts += [f"| `{_cell(name)}` | {_cell(meaning)} |" for name, meaning in rows]
    text = "\n".join(parts)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is stale: run python scripts/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({text.count(chr(10))} lines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
