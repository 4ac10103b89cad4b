"""Shell completion: `salon --install-completion` / `--show-completion` for bash, zsh and fish, and the
quick TAB (salon_cli/quick/complete.py) that answers from the tree's description without loading it.

The quick answer must be Typer's answer: over every command of the tree, the words a person types
(a group's subcommands, an option's start, an option's choices, a value after an option, words after a
typo), the two are compared item by item, and for zsh and fish in the very text each shell reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import typer
from typer._click import Context
from typer._completion_classes import BashComplete, FishComplete, ZshComplete

from salon_cli.cli import tree as tree_module
from salon_cli.cli.app import app
from salon_cli.quick import complete

ROOT = typer.main.get_command(app)


@pytest.fixture(scope="module")
def described() -> dict:
    return tree_module.describe(ROOT, Context(ROOT, info_name="salon"))


def _typer(cls, args: list[str], incomplete: str):
    return cls(ROOT, {}, "salon", complete.VAR).get_completions(list(args), incomplete)


def _paths(node: dict, path: list[str]):
    yield path, node
    for name, sub in node.get("commands", []):
        yield from _paths(sub, [*path, name])


def _cases(described: dict) -> list[tuple[list[str], str]]:
    """What a person types before TAB, for every command of the tree."""
    cases: list[tuple[list[str], str]] = [([], ""), ([], "c"), ([], "-"), ([], "--"), (["--db", "x.db"], "ap"),
                                          (["--as", "ana", "--pin", "1"], "r"), (["--db"], ""), (["nosuch"], ""),
                                          (["--nosuch"], "c"), ([], "--install"), ([], "--db=")]
    for path, node in _paths(described, []):
        cases += [(path, ""), (path, "-"), (path, "--"), (path, "x")]
        for name, _ in node.get("commands", [])[:3]:
            cases.append((path, name[:1]))
        for opt in node["options"]:
            if opt["flag"]:
                cases.append(([*path, opt["names"][0]], ""))
                continue
            cases += [([*path, opt["names"][0]], ""), ([*path, opt["names"][0], "v"], ""),
                      ([*path, opt["names"][0], "v"], "-")]
            if opt.get("choices"):
                first = opt["choices"][0]
                cases += [([*path, opt["names"][0]], first[:1]), ([*path, opt["names"][0]], first[:1].upper()),
                          ([*path], f"{opt['names'][0]}={first[:1]}")]
        if node["arguments"]:
            cases += [([*path, "12"], ""), ([*path, "12"], "-"), ([*path, "12", "13"], "")]
            for a in node["arguments"]:
                if a.get("choices"):
                    cases.append((path, a["choices"][0][:2]))
    return cases


def test_the_quick_answer_is_typers_for_every_command(described):
    cases = _cases(described)
    assert len(cases) > 800  # the whole tree: every group, command and option
    for args, incomplete in cases:
        theirs = [(i.value) for i in _typer(BashComplete, args, incomplete)]
        ours = [v for v, _ in complete.answer_items(described, args, incomplete)]
        assert ours == theirs, (args, incomplete)


def test_the_quick_answer_prints_what_each_shell_reads(described, monkeypatch):
    samples = [([], "cl"), (["report", "revenue"], "--"), (["report", "revenue", "--by"], ""), (["client"], ""),
               (["appt", "book"], "--s"), (["report"], "zz")]
    for args, incomplete in samples:
        for cls, shell in ((BashComplete, "bash"), (ZshComplete, "zsh"), (FishComplete, "fish")):
            monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
            items = _typer(cls, args, incomplete)
            comp = cls(ROOT, {}, "salon", complete.VAR)
            if shell == "zsh":
                lines = [comp.format_completion(i) for i in items]
                theirs = (f"_arguments '*: :(({chr(10).join(lines)}))'" if lines else "_files") + "\n"
            else:
                theirs = "\n".join(comp.format_completion(i) for i in items) + "\n"
            ours, status = complete.render(shell, complete.answer_items(described, args, incomplete))
            assert (ours, status) == (theirs, 0), (shell, args, incomplete)
    monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "is-args")
    assert complete.render("fish", complete.answer_items(described, [], "cl"))[1] == 0
    assert complete.render("fish", complete.answer_items(described, ["report"], "zz"))[1] == 1


def _tab(env: dict, shell: str, line: str) -> subprocess.CompletedProcess:
    """`salon` as a shell calls it on TAB, `line` typed (bash: the word under the cursor is the last)."""
    words = line.split(" ")
    extra = ({"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)} if shell == "bash"
             else {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    return subprocess.run([sys.executable, "-m", "salon_cli"], capture_output=True, text=True,
                          env={**env, complete.VAR: f"complete_{shell}", **extra}, timeout=120)


@pytest.mark.slow
def test_a_tab_in_each_shell_first_loads_the_tree_then_answers_from_its_description(tmp_path):
    env = {**os.environ, "SALON_HOME": str(tmp_path)}
    first = _tab(env, "bash", "salon report revenue --by ")
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["day", "week", "month", "service", "staff"]
    kept = list((tmp_path / "cache").glob("tree-*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text())["commands"]
    for shell, line in (("bash", "salon report revenue --by "), ("bash", "salon cl"), ("zsh", "salon cl"),
                        ("fish", "salon appt bo"), ("zsh", "salon report staff --f")):
        quick = _tab(env, shell, line)
        kept[0].rename(kept[0].with_suffix(".off"))  # Typer's own answer, for the same words
        slow = _tab(env, shell, line)
        kept[0].with_suffix(".off").replace(kept[0])
        assert (quick.returncode, quick.stdout) == (slow.returncode, slow.stdout), (shell, line)
    assert _tab(env, "bash", "salon cl").stdout.split() == ["close-day", "client"]


@pytest.mark.slow
def test_install_and_show_completion_for_bash_zsh_and_fish(tmp_path):
    """`--show-completion` prints the script of the shell it runs in (bash here); each shell's script is
    also printed by `_SALON_COMPLETE=source_SHELL salon`; `--install-completion` installs it."""
    env = {**os.environ, "SALON_HOME": str(tmp_path), "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    marks = {"bash": "complete -o default -F _salon_completion salon", "zsh": "compdef _salon_completion salon",
             "fish": "complete --command salon"}
    shown = subprocess.run(["bash", "-c", f"{sys.executable} -m salon_cli --show-completion"], capture_output=True,
                           text=True, env=env, timeout=120)
    assert shown.returncode == 0 and marks["bash"] in shown.stdout, shown.stderr
    for shell, mark in marks.items():
        source = subprocess.run([sys.executable, "-m", "salon_cli"], capture_output=True, text=True, timeout=120,
                                env={**env, complete.VAR: f"source_{shell}"})
        assert source.returncode == 0 and mark in source.stdout, (shell, source.stderr)
        assert f"{complete.VAR}=complete_{shell}" in source.stdout
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m salon_cli --install-completion"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "bash completion installed" in done.stdout
    assert ".bash_completions/salon.sh" in (tmp_path / ".bashrc").read_text()
    assert "_SALON_COMPLETE=complete_bash" in (tmp_path / ".bash_completions" / "salon.sh").read_text()
