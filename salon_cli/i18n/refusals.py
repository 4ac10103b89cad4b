"""The services' refusals in the desk's language.

A service refuses in English (`raise RuleViolation(f"appointment {appt.id} is {appt.status}")`), and the
command line prints that as it is. The desk says it in its own language without the services knowing of
one: the catalog holds each refusal's template under the context `refusal`, taken from the sources by
`templates_in` (an f-string's `{appt.id}` becomes the placeholder `{id}`), and `say` finds the template a
message was made from, then puts the message's own values into the template's translation:

    appointment 12 is completed  ->  template "appointment {id} is {status}"
                                 ->  "la cita 12 está completed"

The values stay as the service wrote them (a number, a name), unless a value is itself a refusal's
words the catalog holds (`core.errors.refusal_words("is already completed")`). A message no template makes
(a refusal built elsewhere, a database's own words) is said as it is. When two templates make the same
message, the one that says more of its own wins ("{what} is closed" loses to "day {day} is closed").

`templates_in` is also what `scripts/catalogs.py` extracts: the two cannot drift.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONTEXT = "refusal"
# the refusals a person can meet: `core.errors` and the services' own subclasses of them
ERRORS = frozenset({
    "SalonError", "NotFound", "RuleViolation", "Conflict", "InvalidInput", "NotPermitted", "Busy",
    "OutsideServiceFailed", "StripeNotConfigured", "CardDeclined", "EventFailed", "NoteNeeded",
    "WorkUnfinished", "EarlyClose", "ImportRefused",
    "refusal_words"})  # `core.errors.refusal_words`: a refusal's words made apart from its raise
# where the desk's refusals come from (imports, exports and the demo are the command line's alone)
SOURCES = ("salon_cli/services", "salon_cli/core", "salon_cli/db")
NOT_AT_THE_DESK = ("salon_cli/services/transfer", "salon_cli/services/demo", "salon_cli/db/migrate.py")
# "salon sale show 12", "salon appt deposit 7 ...": a command line (not "salon writes the file")
COMMAND = re.compile(r"\bsalon (appt|sale|client|staff|hours|policy|loyalty|stripe|db|checkout|close-day|reopen-day|"
                     r"penalty|membership|giftcard|import|export|expense|cash|report|location|service|product|demo|"
                     r"init|detect-no-shows|checkin|tui|promo)\b")
_WORD = re.compile(r"[A-Za-z]{2,}")


# -- the templates of the sources ---------------------------------------------------------------------


def _name(expr: ast.expr) -> str:
    """A placeholder's name for what an f-string puts there: `appt.id` -> id, `len(rows)` -> rows,
    `start.isoformat()` -> start."""
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in {"join", "format"}:
            return _name(expr.args[0]) if expr.args else "value"
        if isinstance(expr.func, ast.Attribute):  # a method: what it is called on (`day.isoformat()` -> day)
            return _name(expr.func.value)
        if expr.args:  # a function: what it is given (`format_money(amount, currency)` -> amount)
            return _name(expr.args[0])
        return _name(expr.func)
    if isinstance(expr, ast.IfExp) and {_constant(expr.body), _constant(expr.orelse)} == {"s", ""}:
        return "s"  # f"stamp{'s' if n != 1 else ''}": the plural's ending
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.isidentifier():
            return key.value
        return _name(expr.value)
    names = [node for node in ast.walk(expr) if isinstance(node, (ast.Name, ast.Attribute))]
    return _name(names[0]) if names else "value"


def _constant(expr: ast.expr) -> object:
    return expr.value if isinstance(expr, ast.Constant) else None


def _template(node: ast.expr) -> str | None:
    """The str.format template a string expression makes, or None when it is not one we can read."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        return None if left is None or right is None else left + right
    if not isinstance(node, ast.JoinedStr):
        return None
    parts: list[str] = []
    names: dict[str, str] = {}  # the expression's source -> its placeholder (the same value, the same name)
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
            continue
        assert isinstance(value, ast.FormattedValue)
        source = ast.unparse(value.value)
        if source not in names:
            name = re.sub(r"\W", "_", _name(value.value)).strip("_").lower() or "value"
            taken = set(names.values())
            names[source] = name if name not in taken else next(
                f"{name}{n}" for n in range(2, 99) if f"{name}{n}" not in taken)
        parts.append("{" + names[source] + "}")
    return "".join(parts)


def _says_enough(template: str) -> bool:
    """A word of its own, and two when it has several values: `client {id} {daily}` or `{a} and {b}`
    would match nearly any message, and say it wrong."""
    parsed = list(string.Formatter().parse(template))
    words = len(_WORD.findall("".join(literal for literal, *_rest in parsed)))
    fields = sum(1 for _literal, field, *_rest in parsed if field is not None)
    return words >= (2 if fields >= 2 else 1)


def _weight(template: str) -> int:
    """How much a template says of its own (its characters outside the values): the more, the surer."""
    return sum(len(literal) for literal, *_rest in string.Formatter().parse(template))


def names_a_command_line(hint: str) -> bool:
    """A hint the desk leaves out: it names a flag or a command (`--allow-overlap`, `see: salon sale show`)."""
    return "--" in hint or "see:" in hint or "run:" in hint or bool(COMMAND.search(hint))


def templates_in(source: str) -> list[tuple[int, str]]:
    """(line, template) of each refusal's message, and of each hint the desk shows, a module raises or
    builds, in order. A template with no words of its own (`f"{message}"`) is left out: there is nothing
    to translate; so is a hint that names a command line (the desk says its own, `tui.words`)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in ERRORS:
            continue
        texts = [(a, False) for a in node.args[:1]]
        texts += [(k.value, k.arg == "hint") for k in node.keywords if k.arg in {"message", "hint"}]
        for text, hint in texts:
            template = _template(text)
            if not template or not _says_enough(template):
                continue
            if not (hint and names_a_command_line(template)):
                found.append((text.lineno, template))
    return sorted(found)


def source_files(root: Path) -> list[Path]:
    """The modules whose refusals the desk can meet."""
    files: list[Path] = []
    for folder in SOURCES:
        files += sorted(path for path in (root / folder).rglob("*.py")
                        if not path.relative_to(root).as_posix().startswith(NOT_AT_THE_DESK))
    return files


# -- saying a refusal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    pattern: re.Pattern[str]  # the English messages the template makes, its values as named groups
    translated: str
    weight: int


def _pattern(template: str) -> re.Pattern[str]:
    regex: list[str] = []
    fields: list[str] = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        regex.append(re.escape(literal))
        if field is not None:
            if field in fields:
                regex.append(f"(?P={field})")
            else:
                fields.append(field)
                regex.append(f"(?P<{field}>.*?)")  # a value may be empty: stamp{s}
    return re.compile("".join(regex), re.DOTALL)


@lru_cache(maxsize=None)
def _known(lang: str) -> tuple[_Known, ...]:
    from babel.messages.mofile import read_mo

    from salon_cli.i18n import DOMAIN, LOCALE_DIR

    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as handle:
        messages = [m for m in read_mo(handle) if m.context == CONTEXT and m.id and m.string]
    known = []
    for message in messages:
        known.append(_Known(_pattern(str(message.id)), str(message.string), _weight(str(message.id))))
    return tuple(sorted(known, key=lambda k: -k.weight))


def _fill(template: str, values: dict[str, str]) -> str:
    out: list[str] = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, "{" + field + "}"))
    return "".join(out)


def say(message: str, lang: str | None = None, *, depth: int = 2) -> str:
    """`message`, a service's refusal in English, in `lang` (default: the active language). A value of
    the message that is a refusal's words itself (an appointment's state, `core.errors.refusal_words`)
    is said too, `depth` levels down."""
    from salon_cli import i18n

    lang = lang or i18n.active()
    if lang == "en" or not message:
        return message
    for known in _known(lang):
        found = known.pattern.fullmatch(message)
        if found:
            values = found.groupdict()
            if depth > 1:
                values = {name: say(value, lang, depth=depth - 1) for name, value in values.items()}
            return _fill(known.translated, values)
    return message
