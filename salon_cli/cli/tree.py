"""The command tree described for the quick TAB (salon_cli/quick/complete.py): every command's
subcommands, options and arguments, with what Typer's own completion would offer for each, written to
the cache the first time the whole tree is loaded for a TAB.

The description holds the decisions Typer makes (which parameters it completes, an option's names, flags,
choices and their case, file values, short help as each shell shows it), so that the quick answer is
Typer's answer: tests/system/test_completion.py compares the two over every command.
"""

from __future__ import annotations

import json
import re
from typing import Any

import typer
from typer._click import Context
from typer.core import TyperArgument, TyperGroup, TyperOption

from salon_cli.quick import cache, complete


def _zsh_help(text: str | None) -> str | None:
    from typer._completion_classes import _sanitize_help_text

    if not text:
        return None
    escaped = (text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`")
               .replace(":", r"\\:"))
    return _sanitize_help_text(escaped)


def _fish_help(text: str | None) -> str | None:
    from typer._completion_classes import _sanitize_help_text

    return _sanitize_help_text(re.sub(r"\s", " ", text)) if text else None


def _values(param: Any, ctx: Context) -> dict[str, Any]:
    """What Typer completes for a parameter's value: its choices, a file, or nothing."""
    items = param.shell_complete(ctx, "")
    desc = getattr(param, "type_descriptor", None)
    if items and getattr(items[0], "type", "plain") == "file":
        return {"file": True}
    if items:
        return {"choices": [i.value for i in items], "case_sensitive": bool(getattr(desc, "case_sensitive", True))}
    return {}


def describe(command: Any, ctx: Context) -> dict[str, Any]:
    node: dict[str, Any] = {"options": [], "arguments": []}
    for param in command.get_params(ctx):
        if isinstance(param, TyperOption):
            node["options"].append({
                "names": [*param.opts, *param.secondary_opts], "opts": list(param.opts), "id": param.name,
                "flag": bool(param.is_flag or param.count), "multiple": bool(param.multiple),
                "nargs": param.nargs, "hidden": bool(param.hidden),
                "zsh": _zsh_help(param.help), "fish": _fish_help(param.help), **_values(param, ctx)})
        elif isinstance(param, TyperArgument):
            node["arguments"].append({"nargs": param.nargs, **_values(param, ctx)})
    if isinstance(command, TyperGroup):
        node["commands"] = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None:
                continue
            short = sub.get_short_help_str()
            node["commands"].append([name, {"hidden": bool(sub.hidden), "zsh": _zsh_help(short),
                                            "fish": _fish_help(short),
                                            **describe(sub, Context(sub, info_name=name, parent=ctx))}])
    return node


def save(app: typer.Typer) -> None:
    """Describe the whole tree into the cache, for the next TAB."""
    root = typer.main.get_command(app)
    tree = describe(root, Context(root, info_name="salon"))
    cache.write(complete.tree_name(), json.dumps(tree, separators=(",", ":")).encode())
