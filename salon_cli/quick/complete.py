"""A shell's TAB for `salon`, answered from the command tree's description (salon_cli/cli/tree.py)
without loading the tree: what Typer's completion would print, for bash, zsh and fish.

The shells call `salon` with `_SALON_COMPLETE=complete_bash|complete_zsh|complete_fish` and the words
typed (`COMP_WORDS`/`COMP_CWORD`, or `_TYPER_COMPLETE_ARGS`). The words are walked as Click's resilient
parsing walks them: options take their values, the first word a group does not know ends the walk, an
option Click would refuse ends it too. Then, as Click decides: a word starting with `-` gets the option
names not given yet; after an option that takes a value, that option's choices (or the file the shell
completes); else the first argument still open, its choices; else a group's subcommands.
With no description kept (the first TAB after an install or an edit) the answer is left to Typer, which
then writes the description (salon_cli/startup.py).
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from typing import Any

from salon_cli.quick import cache

VAR = "_SALON_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
Item = tuple[str, dict[str, Any] | None]  # a value and where its help comes from


def tree_name() -> str:
    return f"tree-{cache.signature()}.json"


def requested() -> str | None:
    """The shell asking, when this run is a TAB (`complete_bash` ...); None otherwise."""
    instruction = os.environ.get(VAR, "")
    kind, _, shell = instruction.partition("_")
    return shell if kind == "complete" and shell in SHELLS else None


def split_words(text: str) -> list[str]:
    """As Click splits the line: shlex, and an unfinished quote keeps its partial word."""
    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        for token in lex:
            out.append(token)
    except ValueError:
        out.append(lex.token)
    return out


def _words(shell: str) -> tuple[list[str], str]:
    if shell == "bash":
        words = split_words(os.environ.get("COMP_WORDS", ""))
        at = int(os.environ.get("COMP_CWORD", "0") or 0)
        return words[1:at], (words[at] if at < len(words) else "")
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    words = split_words(line)[1:]
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def _option(node: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((o for o in node["options"] if name in o["names"]), None)


def _walk(tree: dict[str, Any], args: list[str]) -> tuple[dict[str, Any], set[str], int]:
    """The command the words lead to, the options given to it, and how many positional words it got."""
    node, used, positional, plain = tree, set(), 0, False
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not plain and arg == "--":
            plain = True
            continue
        if not plain and arg[:1] == "-" and len(arg) > 1:
            name, eq, _ = arg.partition("=")
            opt = _option(node, name)
            attached = bool(eq)
            if opt is None and not arg.startswith("--") and len(arg) > 2:
                opt, attached = _option(node, arg[:2]), True  # -fjson
            if opt is None:
                break  # Click stops at an option it does not know
            used.add(opt["id"])
            if not opt["flag"] and not attached:
                if i + opt["nargs"] > len(args):
                    break  # its value is still to come
                i += opt["nargs"]
            continue
        if "commands" in node:
            sub = dict(node["commands"]).get(arg)
            if sub is None:
                break  # not a command of this group: the group answers
            node, used, positional = sub, set(), 0
            continue
        positional += 1
    return node, used, positional


def _values(param: dict[str, Any], incomplete: str) -> list[Item]:
    if param.get("file"):
        return [(incomplete, None)]
    choices = param.get("choices") or []
    if param.get("case_sensitive", True):
        return [(c, None) for c in choices if c.startswith(incomplete)]
    low = incomplete.lower()
    return [(c, None) for c in choices if c.lower().startswith(low)]


def answer_items(tree: dict[str, Any], args: list[str], incomplete: str) -> list[Item]:
    """What Typer offers for `salon ARGS INCOMPLETE<TAB>`."""
    args = list(args)
    if incomplete == "=":
        incomplete = ""
    elif "=" in incomplete and incomplete[:1] == "-":
        name, _, incomplete = incomplete.partition("=")
        args.append(name)
    node, used, positional = _walk(tree, args)
    if "--" not in args and incomplete[:1] == "-":
        return _options(node, used, incomplete)
    last = args[-1] if args else ""
    for opt in node["options"]:
        if not opt["flag"] and last[:1] == "-" and last in opt["opts"]:
            return _values(opt, incomplete)
    filled = 0
    for argument in node["arguments"]:
        if argument["nargs"] == -1 or positional < filled + max(argument["nargs"], 1):
            return _values(argument, incomplete)
        filled += max(argument["nargs"], 1)
    items: list[Item] = [(name, sub) for name, sub in node.get("commands", [])
                         if name.startswith(incomplete) and not sub["hidden"]]
    return items + (_options(node, used, incomplete) if incomplete and not incomplete[0].isalnum() else [])


def _options(node: dict[str, Any], used: set[str], incomplete: str) -> list[Item]:
    if not incomplete or incomplete[0].isalnum():
        return []
    return [(name, opt) for opt in node["options"]
            if not opt["hidden"] and (opt["multiple"] or opt["id"] not in used)
            for name in opt["names"] if name.startswith(incomplete)]


def _zsh_escape(s: str) -> str:
    return s.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def render(shell: str, items: list[Item]) -> tuple[str, int]:
    """The text Typer prints for these items, and the exit status."""
    if shell == "bash":
        return "\n".join(value for value, _ in items) + "\n", 0
    if shell == "zsh":
        lines = [f'"{_zsh_escape(v)}":"{src["zsh"]}"' if src and src.get("zsh") else f'"{_zsh_escape(v)}"'
                 for v, src in items]
        return (f"_arguments '*: :(({chr(10).join(lines)}))'" if lines else "_files") + "\n", 0
    lines = [f"{v}\t{src['fish']}" if src and src.get("fish") else v for v, src in items]
    action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
    if action == "is-args":
        return "", 0 if lines else 1
    return ("\n".join(lines) if action == "get-args" else "") + "\n", 0


def answer() -> int | None:
    """Answer this run's TAB from the kept description: the exit status, or None to leave it to Typer."""
    shell = requested()
    if shell is None:
        return None
    kept = cache.read(tree_name())
    if kept is None:
        return None
    try:
        tree = json.loads(kept)
        args, incomplete = _words(shell)
        text, status = render(shell, answer_items(tree, args, incomplete))
    except (ValueError, KeyError, TypeError, IndexError):
        return None  # a description from elsewhere: Typer answers
    sys.stdout.write(text)
    sys.stdout.flush()
    return status
