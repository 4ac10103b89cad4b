"""Issue 31: docs/cli.md is the command reference generated from the commands (scripts/cli_reference.py,
as sqlite-utils does with cog); it fails here when a command, an option or a help text changed and the
page was not generated again."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cli_reference.py"


def _generator():
    spec = importlib.util.spec_from_file_location("cli_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_cli_md_is_the_commands_own_help(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")  # the page never depends on the terminal it is made in
    monkeypatch.setenv("SALON_HOME", "/nonexistent/home")
    reference = _generator()
    text = reference.render()
    assert reference.TARGET.read_text(encoding="utf-8") == text, \
        "docs/cli.md is stale: run python scripts/cli_reference.py"


def test_every_command_is_on_the_page_with_its_usage_and_example():
    text = _generator().render()
    assert "## salon appt ics\n\n`salon appt ics [OPTIONS] APPOINTMENT_ID`" in text
    assert "```sh\nsalon appt ics 120 > cita-120.ics\n```" in text
    assert "| `--promo <str>` | A promotion code, e.g. HAPPY10 (automatic offers apply by themselves). |" in text
    for command in ("## salon checkout\n", "## salon promo add\n", "## salon appt waitlist add\n",
                    "## salon client erase\n", "## salon report promotions\n"):
        assert command in text
