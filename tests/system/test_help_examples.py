"""Issue 31: every `Example:` line in every command's help runs on the demo salon.

The examples are collected from the command tree itself (each command's help and its options' help,
walked as scripts/cli_reference.py walks it for docs/cli.md), so a new command's example is tried the day
it is written. Each runs in-process (Typer's runner) on its own fresh copy of one demo salon built once
per test process at the test clock (Saturday 2026-11-21, 11:00 in Mexico City), in a working directory of
its own (`--output FILE` writes there, `~` is there), with the acting staff member's demo PIN in SALON_PIN
unless the example gives `--pin`. Whatever an example reads is there first: the files and the state it
continues from of tests/system/help_example_setup.py (the promotion that `promo end HAPPY10` ends, the
no-show that `appt reinstate` undoes ...), the SMTP server of `--email` and Stripe (the local stand-ins
of tests/message_standins.py and tests/stripe_standin.py). `salon init` runs on a database of its own.

The shell around an example is read as a shell would read it: `VAR=value` before the command, a cron
schedule before it, `> file` (written in the working directory; an absolute path is only captured),
`2>&1`, and `a || b` (b runs when a fails). Of a pipe, the `salon` side runs and its output is checked;
the program it feeds is not started (no process is spawned here). `CANNOT_RUN` lists the few examples
that cannot run here, each with its reason.

Speed: the click command is made once (Typer's runner makes it at every call, a second for this tree),
and every copy of the demo is restored into one SQLite file that one engine serves, so the statements
SQLAlchemy compiled for an example serve the next ones.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import DEFAULT_NOW, copy_sqlite
from help_example_setup import FILES, GIVEN, STRIPE_SECRET, jpeg

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cli_reference.py"
DEMO = {"clients": 100, "days": 30, "ahead": 14}  # November's reports have their month; ids up to 100

CANNOT_RUN = {
    "salon tui --demo": "opens the dashboard, a full-screen program that waits for keys (tests/tui drive it)",
    "SALON_STRIPE_WEBHOOK_SECRET=whsec_... salon stripe serve --port 8787":
        "serves Stripe's webhooks until stopped (tests/stripe/test_stripe_cli.py starts it as a process)",
    "salon --db postgresql+psycopg://salon@db.local/salon db upgrade":
        "names a PostgreSQL server on another host (db.local); CI runs `salon db upgrade` on its own PostgreSQL",
    "salon --db sqlite:///demo.db demo --clients 200 --days 60":
        "builds a second demo salon of 200 clients and 60 days, seconds past this test's budget (every "
        "other example runs on a demo built by the same code)",
}

# Examples whose answer on the demo is an empty list, and why (every other listing must list something).
EMPTY_ON_THE_DEMO = {
    "salon outbox --status failed -f json": "no message of the demo failed (no channel is set up, so none was sent)",
    "salon client list --tag vip --inactive-days 60 --sort total_spent --desc --limit 20":
        "every demo client came in within its month of history",
    "salon client win-back --inactive-days 120 --limit 50": "the demo's history is a month long",
    "salon close-day --pending": "the demo closed every day before today",
    "salon --as sofia sale resend-refunds 31": "no refund of the demo is waiting for Stripe's answer",
    "salon db check --data -f json": "every phone the demo stored is a valid number",
}

# Examples that make a new salon run on a database of their own, at schema head and empty.
NEW_SALON = {"salon init"}

# The instant an example runs at, where it is not the demo's Saturday 11:00.
AT = {
    # the demo counted Saturday's float at opening: the example is Monday morning's
    "salon --as sofia cash float --amount 500": datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc),
}


# ----------------------------------------------------------------------------- collecting

@dataclass(frozen=True)
class Example:
    command: str  # `salon appt book`
    line: str     # as written after `Example:`
    id: str       # `appt-book`, `appt-book-2`

    def __str__(self) -> str:
        return self.line


def _walker() -> Callable[..., Any]:
    spec = importlib.util.spec_from_file_location("cli_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._commands


def _tree() -> Any:
    import typer

    import salon_cli.cli.app as root

    root._register()
    return typer.main.get_command(root.app)


def collect(tree: Any) -> list[Example]:
    """Every `Example:` line of every command's help and of its options' help, each once."""
    found: dict[str, Example] = {}
    for path, command in _walker()(tree, ["salon"]):
        texts = [command.help or ""] + [getattr(param, "help", None) or "" for param in command.params]
        for text in texts:
            for line in inspect.cleandoc(text).splitlines():
                _, marker, example = line.partition("Example:")
                if marker and example.strip() and example.strip() not in found:
                    name = "-".join(path[1:]) or "salon"
                    same = sum(e.command == " ".join(path) for e in found.values())
                    found[example.strip()] = Example(" ".join(path), example.strip(),
                                                     name + (f"-{same + 1}" if same else ""))
    return list(found.values())


TREE = _tree()
EXAMPLES = collect(TREE)


# ----------------------------------------------------------------------------- the demo and the runner

@dataclass
class Desk:
    """The file every example's copy of the demo is restored into, and the one engine on it."""
    demo: Path
    path: Path
    engine: Any

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


@pytest.fixture(scope="session")
def desk(tmp_path_factory, head_sqlite) -> Any:
    from salon_cli.core import clock as clock_module
    from salon_cli.core.clock import FixedClock
    from salon_cli.db.engine import make_engine
    from salon_cli.services.demo.build import build_demo

    demo = tmp_path_factory.mktemp("examples-demo") / "demo.db"
    copy_sqlite(head_sqlite, f"sqlite:///{demo}")
    clock_module.set_clock(FixedClock(DEFAULT_NOW))
    try:
        engine = make_engine(f"sqlite:///{demo}")
        build_demo(engine, **DEMO)
        engine.dispose()
    finally:
        clock_module.set_clock(None)
    path = tmp_path_factory.mktemp("examples-desk") / "salon.db"
    copy_sqlite(demo, f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    yield Desk(demo, path, engine)
    engine.dispose()


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


@dataclass
class Ctx:
    """What an example runs with: its working directory, its database, the stand-ins' settings."""
    work: Path
    url: str
    desk: Desk
    env: dict[str, str] = field(default_factory=dict)
    mail: Any = None
    stripe: Any = None

    def run(self, line: str) -> Ran:
        """A command the example continues from: it must succeed."""
        _files(line, self.work)
        ran = run_example(line, self)
        assert ran.code == 0, f"given: {line}\n{ran.stderr}"
        return ran


def _pins() -> dict[str, str]:
    from salon_cli.services.demo.team import OWNER, TEAM

    return {OWNER.code: OWNER.pin, **{member.code: member.pin for member, _, _ in TEAM}}


def _salon(argv: list[str], env: dict[str, str]) -> Ran:
    import typer.testing

    from salon_cli.cli.app import app

    original, typer.testing._get_command = typer.testing._get_command, lambda _app: TREE
    try:
        result = typer.testing.CliRunner().invoke(app, argv, env=env, catch_exceptions=False)
    finally:
        typer.testing._get_command = original
    return Ran(result.exit_code, result.stdout, result.stderr)


def _words(line: str) -> list[str]:
    words = shlex.split(line)
    if len(words) > 5 and all(set(w) <= set("0123456789*/,-") for w in words[:5]):  # a crontab line
        words = words[5:]
    return words


def run_example(line: str, ctx: Ctx) -> Ran:
    """`line` as a shell would run it, every `salon` in-process."""
    words = _words(line)
    env = {"SALON_DATABASE_URL": ctx.url, "HOME": str(ctx.work), **ctx.env}
    while words and "=" in words[0] and not words[0].startswith("-"):  # VAR=value salon ...
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    alternative: list[str] | None = None
    if "||" in words:
        at = words.index("||")
        words, alternative = words[:at], words[at + 1:]
    if "|" in words:  # the salon side of a pipe: the program it feeds is not run here
        words = words[:words.index("|")]
    redirect: str | None = None
    for operator in (">>", ">"):
        if operator in words:
            at = words.index(operator)
            redirect, words = words[at + 1], words[:at] + words[at + 2:]
    words = [w for w in words if w != "2>&1"]
    assert words[0] == "salon", f"an example starts with salon: {line}"
    argv = [str(ctx.work) + w[1:] if w.startswith("~/") else w for w in words[1:]]  # HOME is the work dir
    if "--pin" not in argv and "--as" in argv:
        env["SALON_PIN"] = _pins().get(argv[argv.index("--as") + 1], "")
    ran = _salon(argv, env)
    if ran.code != 0 and alternative is not None:
        return run_example(shlex.join(alternative), ctx)
    if redirect is not None and not redirect.startswith("/"):
        (ctx.work / redirect).write_text(ran.stdout, encoding="utf-8")
    return ran


def _files(line: str, work: Path) -> None:
    """The files `line` reads, written in its working directory (`~/fotos/x.jpg`: a photo)."""
    for word in _words(line):
        if word in FILES:
            (work / word).write_text(FILES[word], encoding="utf-8")
        elif word.startswith("~/") and word.endswith(".jpg"):
            photo = work / word.removeprefix("~/")
            photo.parent.mkdir(parents=True, exist_ok=True)
            photo.write_bytes(jpeg())


MAIL = {"salon report day", "salon report finance", "salon report staff", "salon sale receipt"}
STRIPE = {"salon penalty charge", "salon stripe link", "salon stripe sync", "salon stripe ingest", "salon stripe retry",
          "salon stripe events", "salon sale resend-refunds"}


# ----------------------------------------------------------------------------- checking what came out

def _check(example: Example, ran: Ran, ctx: Ctx) -> None:
    """What can be said of an example's output cheaply: machine formats parse, files it writes are there."""
    words = _words(example.line)
    written = {words[i + 1] for i, w in enumerate(words[:-1]) if w in ("--output", "--pdf", ">", "--save-mapping")}
    formats = {words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-f", "--format")}
    if "--output" not in words and "json" in formats and ran.stdout.strip():
        json.loads(ran.stdout)
    if "--output" not in words and "ndjson" in formats:
        [json.loads(row) for row in ran.stdout.splitlines() if row.strip()]
    if "--output" not in words and "csv" in formats and ran.stdout:
        assert "," in ran.stdout.splitlines()[0]
    for name in written - {"/var/log/salon/reminders.log", "/var/log/salon/stripe-sync.log"}:
        if name.endswith(".pdf") and "--pdf" in words and "--email" not in words:
            assert (ctx.work / name).read_bytes().startswith(b"%PDF"), name
        elif name.endswith(".ics"):
            assert (ctx.work / name).read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR"), name
        elif not name.startswith("/") and not name.startswith("-"):
            assert (ctx.work / name).stat().st_size > 0, name
    listed_nothing = "(no rows)" in ran.stderr or (
        "--output" not in words and formats & {"json", "ndjson", "csv"} and ran.stdout.strip() in ("", "[]"))
    assert not listed_nothing or example.line in EMPTY_ON_THE_DEMO, \
        "lists nothing on the demo: give it something to list (GIVEN) or say why in EMPTY_ON_THE_DEMO"
    if ctx.mail is not None:
        (mail,) = ctx.mail.received
        if "--pdf" in words:
            assert any(part.get_content_type() == "application/pdf" for part in mail.message.iter_attachments())
    if example.command == "salon stripe link":
        assert ran.stdout.startswith("http"), ran.stdout


# ----------------------------------------------------------------------------- the tests

RUNNABLE = [e for e in EXAMPLES if e.line not in CANNOT_RUN]


@pytest.mark.parametrize("example", RUNNABLE, ids=[e.id for e in RUNNABLE])
def test_the_example_runs_on_the_demo(example, desk, tmp_path, monkeypatch, clock, request):
    from salon_cli.db import engine as engine_module

    if example.line in AT:
        clock.set(AT[example.line])
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    make_engine = engine_module.make_engine
    monkeypatch.setattr(engine_module, "make_engine",
                        lambda url, **kw: desk.engine if url == desk.url else make_engine(url, **kw))
    copy_sqlite(desk.demo, desk.url)
    ctx = Ctx(work, desk.url, desk)
    if example.command in NEW_SALON:
        ctx.url = f"sqlite:///{work / 'salon.db'}"
        copy_sqlite(request.getfixturevalue("head_sqlite"), ctx.url)
    words = _words(example.line)
    if example.command in MAIL and "--email" in words:
        ctx.mail = request.getfixturevalue("mail_server")
        ctx.env.update(ctx.mail.env())
    if example.command in STRIPE:
        ctx.stripe = request.getfixturevalue("stripe_standin")
        ctx.stripe.clock = lambda: int(clock.now().timestamp())
        ctx.env.update({"SALON_STRIPE_API_KEY": "sk_test_standin", "SALON_STRIPE_API_BASE": ctx.stripe.url,
                        "SALON_STRIPE_WEBHOOK_SECRET": STRIPE_SECRET})
    for step in GIVEN.get(example.line, []):
        step(ctx) if callable(step) else ctx.run(step)
    _files(example.line, work)
    ran = run_example(example.line, ctx)
    if ctx.url != desk.url:
        engine_module.dispose_all()  # the new salon's engine (the desk's reconnects when next used)
    assert ran.code == 0, f"{example.command}: {example.line}\n{ran.stderr}"
    _check(example, ran, ctx)


def test_the_examples_are_collected_from_every_command():
    commands = {e.command for e in EXAMPLES}
    assert len(EXAMPLES) > 200 and {"salon appt book", "salon checkout", "salon stripe sync"} <= commands
    assert any("--birthday-gift-reward" in e.line for e in EXAMPLES)  # an option's help holds this one


def test_what_cannot_run_says_why_and_every_list_names_an_example():
    lines = {e.line for e in EXAMPLES}
    assert all(len(why) > 30 for why in CANNOT_RUN.values())
    for table in (CANNOT_RUN, GIVEN, AT, EMPTY_ON_THE_DEMO):
        stale = sorted(set(table) - lines)
        assert not stale, f"no such example any more: {stale}"
