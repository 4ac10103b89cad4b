"""The desk's Spanish: the gettext catalog of the dashboard, the receipts and the Z-report, through Babel's
API (`babel.messages`: extract, catalog, pofile, mofile), so what runs here runs the same in a test.

    python scripts/catalogs.py                  extract + update + compile (the default, `all`)
    python scripts/catalogs.py all A.json ...   the same, the JSON files' translations merged before the compile
    python scripts/catalogs.py extract [-o F]   the template (.pot) of the sources, to stdout or F
    python scripts/catalogs.py update           the sources' msgids into salon.po, translations kept
    python scripts/catalogs.py merge A.json ... msgstr from JSON: {"English": "Español"},
                                                {"one\\u0000many": ["uno", "varios"]} for plurals
    python scripts/catalogs.py compile          salon.mo beside salon.po (the same bytes every time)
    python scripts/catalogs.py check            exit 1 naming each problem (below)
    python scripts/catalogs.py lint             user-visible English in salon_cli/tui not wrapped in _()

Sources: `salon_cli/tui`, `salon_cli/services/receipts`, `salon_cli/i18n`; keywords `_`, `N_` and
`ngettext` (singular, plural). And the services' refusals the desk can meet, under the context
`refusal`: each message (and each hint the desk shows) a `SalonError` is raised with, its f-string read
as a template (`salon_cli/i18n/refusals.py`, which also says them at the desk). The catalog is
`salon_cli/i18n/locale/es/LC_MESSAGES/salon.po`, its compile `salon.mo` beside it; both are committed
and shipped in the wheel.

`update` keeps every translation whose msgid is unchanged and guesses none (no fuzzy matching: a changed
English string is untranslated until someone translates it); entries the sources no longer have are
dropped (`--keep-obsolete` keeps them as `#~`). The header's dates are fixed, so the files change only
when a message does. Spanish has two plural forms here (`nplurals=2; plural=(n != 1)`), as gettext's
own tools write it.

`check` fails on: a msgid of the sources not in the catalog, an entry the sources no longer have (or a
`#~` obsolete one), an empty or fuzzy translation, `{placeholders}` that differ between the English and
the Spanish, and a `salon.mo` that is not the compile of `salon.po`. tests/system/test_catalog.py runs
it, and the lint, in-process.

`lint` reads `salon_cli/tui` with `ast` and names each string literal a person would read (`is_prose`:
two words, one Capitalised word, an ellipsis or a question) that no `_`, `N_` or `ngettext` wraps. It
passes docstrings, dict keys, comparisons, subscripts, exceptions' and assertions' text, CSS, a binding's
key and action, the arguments of calls and keywords that take names (`query_one`, `id=`, `classes=`,
`severity=`, `what=` ...), identifiers and formats with no words of their own; `ALLOWED` holds the few
exceptions, each with its reason. A wrapped literal inside an f-string is named too: Babel's extractor
does not read f-strings, so it would never reach the catalog. Lower-case single words (`pending`) are
not caught: a heuristic, not a proof.
"""

from __future__ import annotations

import argparse
import ast
import glob
import io
import json
import re
import string
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from salon_cli.i18n import refusals

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("salon_cli/tui", "salon_cli/services/receipts", "salon_cli/i18n")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "NC_": ((1, "c"), 2)}
LOCALE = "es"
PO = Path("salon_cli/i18n/locale/es/LC_MESSAGES/salon.po")
MO = PO.with_suffix(".mo")
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)  # the header's dates: no churn on each run
HEADER = """\
# The salon desk in Spanish: the dashboard (salon tui), receipts and the Z-report.
# Made by scripts/catalogs.py from the sources (English); translate the msgstr, then run
# `python scripts/catalogs.py compile` (salon.mo is committed beside this file) and `check`."""
LINT_ROOT = "salon_cli/tui"


# -- extract, update, merge, compile ----------------------------------------------------------------


def source_files(root: Path = ROOT) -> list[Path]:
    files: list[Path] = []
    for folder in SOURCES:
        files += sorted((root / folder).rglob("*.py"))
    return files


def extract(root: Path = ROOT) -> Catalog:
    """The template: every wrapped string of the sources, with the files it is in."""
    template = Catalog(project="salon-cli", version="1", creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                       charset="utf-8", fuzzy=False)
    for path in source_files(root):
        where = path.relative_to(root).as_posix()
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True):
            if not message or (isinstance(message, (tuple, list)) and not message[0]):
                continue
            template.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    for path in refusals.source_files(root):
        where = path.relative_to(root).as_posix()
        for lineno, message in refusals.templates_in(path.read_text(encoding="utf-8")):
            template.add(message, None, [(where, lineno)], context=refusals.CONTEXT)
    return template


def _settle(catalog: Catalog) -> Catalog:
    catalog.header_comment = HEADER
    catalog.project, catalog.version = "salon-cli", "1"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "salon"
    catalog.language_team = "Spanish (es)"
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS)]  # two forms (Babel's CLDR table says three)
    catalog.fuzzy = False
    return catalog


def read_catalog(root: Path = ROOT) -> Catalog:
    path = root / PO
    if not path.exists():
        return _settle(Catalog(locale=LOCALE, project="salon-cli", version="1", creation_date=FIXED_DATE,
                               charset="utf-8", fuzzy=False))
    with path.open("rb") as handle:
        return read_po(handle, locale=LOCALE, abort_invalid=True)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, _settle(catalog), width=100, include_lineno=False, ignore_obsolete=False)
    return out.getvalue()


def write_catalog(catalog: Catalog, root: Path = ROOT) -> None:
    path = root / PO
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_bytes(catalog))


def update(root: Path = ROOT, *, keep_obsolete: bool = False) -> tuple[int, int, int]:
    """The sources' msgids into salon.po: (new, kept, dropped). Translations of unchanged msgids stay."""
    template = extract(root)
    catalog = read_catalog(root)
    before = {_key(m): m.id for m in _messages(catalog)}
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    for message in _messages(catalog):
        message.previous_id = []
        old = before.get(_key(message))
        if old is not None and _ids(old) != _ids(message.id):
            # the same first msgid, another plural (or none now): its translation is of other English
            message.string = ("", "") if message.pluralizable else ""
            message.flags.discard("fuzzy")
    dropped = len(catalog.obsolete)
    if not keep_obsolete:
        catalog.obsolete.clear()
    after = {_key(m) for m in _messages(catalog)}
    write_catalog(catalog, root)
    return len(after - set(before)), len(after & set(before)), dropped


def merge(files: Iterable[Path | str], root: Path = ROOT) -> list[str]:
    """Fill msgstr from JSON files (a later file wins); what could not be merged, said."""
    catalog = read_catalog(root)
    said: list[str] = []
    seen: dict[str, tuple[str, object]] = {}
    filled = 0
    for file in files:
        name = Path(file).name
        data = json.loads(Path(file).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            said.append(f"{name}: not a JSON object")
            continue
        for key, value in data.items():
            context, _eot, rest = key.rpartition("\u0004")  # "context\u0004msgid", as gettext keys them
            singular, _nul, plural = rest.partition("\u0000")
            earlier = seen.get(key)
            if earlier is not None and earlier[1] != value:
                said.append(f"{name}: {key!r} differs from {earlier[0]}'s translation ({earlier[1]!r} -> {value!r})")
            seen[key] = (name, value)
            message = catalog.get(singular, context=context or None)
            if message is None:
                said.append(f"{name}: {_show(key)} is not in the catalog (not in the sources, or not wrapped)")
                continue
            if plural:
                if not message.pluralizable or message.id[1] != plural:
                    said.append(f"{name}: {_show(key)} is not a plural of the catalog")
                    continue
                if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
                    said.append(f"{name}: {_show(key)} needs a list of two forms")
                    continue
                message.string = tuple(value)
            else:
                if message.pluralizable:
                    said.append(f"{name}: {_show(key)} is a plural in the catalog (key 'singular\\u0000plural')")
                    continue
                if not isinstance(value, str):
                    said.append(f"{name}: {_show(key)} needs a string")
                    continue
                message.string = value
            message.flags.discard("fuzzy")
            filled += 1
    write_catalog(catalog, root)
    said.append(f"merged {filled} translations")
    return said


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, _settle(catalog), use_fuzzy=False)
    return out.getvalue()


def compile_catalog(root: Path = ROOT) -> int:
    catalog = read_catalog(root)
    (root / MO).write_bytes(mo_bytes(catalog))
    return sum(1 for m in _messages(catalog) if _translated(m))


# -- check ------------------------------------------------------------------------------------------


def problems(root: Path = ROOT) -> list[str]:
    """Each problem of the catalog, one line each: [] when it is whole, translated and compiled."""
    found: list[str] = []
    if not (root / PO).exists():
        return [f"{PO} is missing (run: python scripts/catalogs.py)"]
    try:
        catalog = read_catalog(root)
    except Exception as exc:  # noqa: BLE001 - a broken .po is one problem, said
        return [f"{PO} cannot be read: {exc}"]
    template = extract(root)
    sources = {_key(m): m for m in _messages(template)}
    entries = {_key(m): m for m in _messages(catalog)}
    for key, message in sources.items():
        entry = entries.get(key)
        if entry is None:
            found.append(f"not in the catalog: {_show(message.id)} ({_where(message)})")
        elif bool(entry.pluralizable) != bool(message.pluralizable) or (
                message.pluralizable and entry.id[1] != message.id[1]):
            found.append(f"plural differs from the sources: {_show(message.id)} ({_where(message)})")
    for key, entry in entries.items():
        if key not in sources:
            found.append(f"obsolete (no longer in the sources): {_show(entry.id)}")
            continue
        if entry.fuzzy:
            found.append(f"fuzzy: {_show(entry.id)}")
        if not _translated(entry):
            found.append(f"untranslated: {_show(entry.id)} ({_where(sources[key])})")
            continue
        for english, spanish in _forms(entry):
            differ = _placeholder_problem(english, spanish)
            if differ:
                found.append(f"placeholders differ ({differ}): {_show(english)} -> {spanish!r}")
    for entry in catalog.obsolete.values():
        found.append(f"obsolete entry (#~) in {PO.name}: {_show(entry.id)}")
    mo = root / MO
    if not mo.exists():
        found.append(f"{MO} is missing (run: python scripts/catalogs.py compile)")
    elif mo.read_bytes() != mo_bytes(catalog) and not _same_mo(mo.read_bytes(), mo_bytes(catalog)):
        found.append(f"{MO} is not the compile of {PO.name} (run: python scripts/catalogs.py compile)")
    return found


def _same_mo(one: bytes, other: bytes) -> bool:
    """The same messages (another Babel version writes another `Generated-By` header: that is all)."""
    def messages(data: bytes) -> list[tuple[object, object, object]]:
        return [(m.id, m.string, m.context) for m in read_mo(io.BytesIO(data)) if m.id]

    return messages(one) == messages(other)


def _ids(ident: object) -> tuple[str, ...]:
    return tuple(ident) if isinstance(ident, (tuple, list)) else (str(ident),)


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _key(message: Message) -> tuple[str, str | None]:
    ident = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return ident, message.context


def _translated(message: Message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return bool(message.string) and all(s.strip() for s in message.string)
    return bool(message.string and message.string.strip())


def _forms(message: Message) -> list[tuple[str, str]]:
    if message.pluralizable:
        ids = list(message.id)
        return [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(message.string)]
    return [(message.id, message.string)]


def placeholders(text: str) -> set[str] | None:
    """`{name}`, `{n:>3}`, `{x!r}` of a str.format template (None: not one, a stray brace)."""
    try:
        return {f"{{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}"
                for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _placeholder_problem(english: str, spanish: str) -> str:
    wanted, given = placeholders(english), placeholders(spanish)
    if wanted is None:  # not a format template: compare the braces as written
        wanted, given = set(re.findall(r"\{[^{}]*\}", english)), set(re.findall(r"\{[^{}]*\}", spanish))
    if given is None:
        return "a stray brace in the Spanish"
    if wanted != given:
        return f"{' '.join(sorted(wanted)) or 'none'} vs {' '.join(sorted(given)) or 'none'}"
    return ""


def _show(ident: object) -> str:
    if isinstance(ident, (tuple, list)):
        ident = " | ".join(ident)
    text = str(ident).replace("\u0000", " | ")
    return repr(text if len(text) <= 90 else text[:87] + "...")


def _where(message: Message) -> str:
    files = sorted({path for path, _line in message.locations})
    return ", ".join(files[:3]) + (" ..." if len(files) > 3 else "")


# -- lint: English the desk reads, not wrapped --------------------------------------------------------

WRAPPERS = {"_", "N_", "ngettext", "pgettext", "NC_"}
# calls whose string arguments are names, selectors, keys, patterns or formats, never text for people
NOT_TEXT_CALLS = {
    "query", "query_one", "query_children", "query_exactly_one", "query_ancestor", "get_child_by_id",
    "get_widget_by_id", "set_class", "add_class", "remove_class", "has_class", "toggle_class", "set_classes",
    "getattr", "setattr", "hasattr", "delattr", "run_action", "press", "check_action", "simulate_key",
    "compile", "sub", "subn", "match", "fullmatch", "search", "findall", "finditer", "escape",
    "split", "rsplit", "startswith", "endswith", "replace", "strip", "lstrip", "rstrip", "removeprefix",
    "removesuffix", "partition", "rpartition", "find", "rfind", "index", "count", "encode", "decode",
    "strftime", "strptime", "isinstance", "Path", "open", "getenv", "import_module", "watch", "log", "debug",
    "info", "exception", "parse", "register_theme", "Color", "Style", "on",
}
KEY_FIRST_CALLS = {"get", "pop", "setdefault", "Binding"}  # the first argument is a key (a Binding's: two)
# keyword arguments that name things (ids, classes, groups, styles, keys), never text for people
NOT_TEXT_KEYWORDS = {
    "id", "classes", "name", "group", "variant", "action", "key", "key_display", "severity", "style",
    "cursor_type", "mode", "theme", "selector", "width", "format", "locale", "lang", "currency", "tz",
    "encoding", "errors", "sep", "end", "kind", "permission", "method", "align", "layout", "binding_group",
    "highlight_style", "dialect", "status", "via", "justify", "overflow", "password",
    "what", "option",  # what a service's refusal names: the services' messages stay English for now
}
NOT_TEXT_ASSIGNED = {"CSS", "DEFAULT_CSS", "CSS_PATH", "COMPONENT_CLASSES", "__all__", "AUTO_FOCUS"}
STYLE_WORDS = {
    "bold", "dim", "italic", "reverse", "underline", "strike", "blink", "not", "on", "red", "green", "yellow",
    "blue", "magenta", "cyan", "white", "black", "grey", "gray", "bright", "default", "none", "link", "b", "i",
    "u", "s", "auto", "fr", "solid", "round", "heavy", "tall", "wide", "ansi",
}
# (file under salon_cli/tui, the exact text): why it is not wrapped
ALLOWED: dict[tuple[str, str], str] = {
    ("words.py", "appt deposit"): "a command a service's hint names, matched against the hint; never shown",
    ("words.py", "--deposit AMOUNT --pay METHOD"): "flags a service's hint names, matched; never shown",
    ("screens/closing/drawer.py", "the amount"): "`what` of a service's refusal (services' messages stay English)",
    ("screens/closing/drawer.py", "the expense"): "`what` of a service's refusal (English, as above)",
    ("screens/till/checkout_keys.py", "amount handed over"): "`what` of a service's refusal (English, as above)",
}


@dataclass(frozen=True)
class Unwrapped:
    path: str
    line: int
    text: str
    why: str = "not wrapped in _() / N_() / ngettext()"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


def is_prose(text: str) -> bool:
    """English a person reads (a heuristic): two words with a space between, one Capitalised word, or an
    ellipsis or question mark. Not: ids, CSS selectors and blocks, flags, keys, paths, style strings,
    formats with no words of their own (`{name} ({role})`, `%H:%M`)."""
    stripped = text.strip()
    if not stripped or stripped.startswith(("#", ".", "-", "ctrl+", "shift+", "alt+", "http", "$", "%", "/")):
        return False
    if "{" in text and ";" in text and ":" in text and "\n" in text:
        return False  # a CSS block
    core = re.sub(r"\{[^{}]*\}", "\x00", text)  # a placeholder counts as a word, but holds no English
    core = re.sub(r"%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z%]", "\x00", core)  # %-directives (strftime, %d)
    core = re.sub(r"\[/?[@a-z$#][^\[\]]*\]", "", core)  # rich markup tags: [b], [/], [dim], [@click=..]
    core = re.sub(r"\$[\w-]+", "", core)  # theme variables ($accent)
    words = re.findall(r"[A-Za-z]{2,}", core)
    if not words:
        return False
    if text == text.lower() and all(w in STYLE_WORDS for w in re.findall(r"[a-z]+", core)):
        return False  # "bold red", "dim italic"
    if re.fullmatch(r"[A-Za-z0-9_.:/,+=\-]+", stripped) and not re.fullmatch(r"[A-Z][a-z]+[.:]?", stripped):
        return False  # an identifier, a key list, a path, a CamelCase type name ("OptionList")
    if re.search(r"[A-Za-z\x00][^\w\s]*\s+[^\w\s]*[A-Za-z\x00]", core) and len(words) >= 1:
        return True
    if re.fullmatch(r"\W*[A-Z][a-z]+\W*", core):
        return True  # one Capitalised word: "Cancel", "Refused", "Total:"
    return "…" in text or stripped.endswith("?")


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return ""


def _not_text_here(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Where the literal sits says it is no text for people (or is wrapped already)."""
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Expr):  # a docstring or a bare string; else a call's statement
            return parent.value is node
        if isinstance(parent, (ast.Raise, ast.Assert)):  # an exception's text is the log's, not the desk's
            return True
        if isinstance(parent, ast.Dict) and child in parent.keys:
            return True
        if isinstance(parent, (ast.Compare, ast.match_case)):
            return True
        if isinstance(parent, ast.Subscript) and child is parent.slice:
            return True
        if isinstance(parent, ast.AnnAssign) and child is parent.annotation:
            return True
        if isinstance(parent, ast.arg) or (isinstance(parent, ast.FunctionDef) and child is parent.returns):
            return True
        if isinstance(parent, ast.keyword) and parent.arg in NOT_TEXT_KEYWORDS:
            return True
        if isinstance(parent, ast.Call):
            name = _call_name(parent)
            if name in WRAPPERS:
                return True
            direct = child in parent.args or (isinstance(child, ast.keyword) and child in parent.keywords)
            if direct and name in NOT_TEXT_CALLS:
                return True
            if name in KEY_FIRST_CALLS and child in parent.args[:2 if name == "Binding" else 1]:
                return True
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if any(isinstance(t, ast.Name) and t.id in NOT_TEXT_ASSIGNED for t in targets):
                return True
            return False
        if isinstance(parent, ast.stmt):
            return False
        child, parent = parent, parents.get(parent)
    return False


def lint_file(path: Path, root: Path = ROOT) -> list[Unwrapped]:
    where = path.relative_to(root).as_posix()
    inner = path.relative_to(root / LINT_ROOT).as_posix() if (root / LINT_ROOT) in path.parents else where
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parents = _parents(tree)
    found: list[Unwrapped] = []
    inside_fstring: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for part in ast.walk(node):
                if part is not node:
                    inside_fstring.add(part)
                if (isinstance(part, ast.Call) and _call_name(part) in WRAPPERS and part.args
                        and isinstance(part.args[0], ast.Constant)):
                    found.append(Unwrapped(where, node.lineno, _literal_text(part.args[0]),
                                           "wrapped inside an f-string (Babel does not extract it)"))
    for node in ast.walk(tree):
        if node in inside_fstring or not isinstance(node, (ast.Constant, ast.JoinedStr)):
            continue
        text = _literal_text(node)
        if not text or not is_prose(text) or (inner, text) in ALLOWED:
            continue
        if _not_text_here(node, parents):
            continue
        found.append(Unwrapped(where, node.lineno, text))
    return found


def lint(root: Path = ROOT) -> list[Unwrapped]:
    """User-visible English string literals in salon_cli/tui that no `_`, `N_` or `ngettext` wraps."""
    found: list[Unwrapped] = []
    for path in sorted((root / LINT_ROOT).rglob("*.py")):
        found += lint_file(path, root)
    return found


# -- the command line ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    run_all = commands.add_parser("all", help="extract + update (+ merge the JSON files given) + compile")
    run_all.add_argument("json", nargs="*", type=Path)
    run_all.add_argument("--keep-obsolete", action="store_true")
    extract_cmd = commands.add_parser("extract", help="the sources' template (.pot)")
    extract_cmd.add_argument("-o", "--output", type=Path)
    update_cmd = commands.add_parser("update", help="the sources' msgids into salon.po")
    update_cmd.add_argument("--keep-obsolete", action="store_true")
    merge_cmd = commands.add_parser("merge", help="msgstr from JSON files")
    merge_cmd.add_argument("json", nargs="+", type=Path)
    commands.add_parser("compile", help="salon.mo from salon.po")
    commands.add_parser("check", help="exit 1 naming each problem of the catalog")
    commands.add_parser("lint", help="English in salon_cli/tui not wrapped")
    args = parser.parse_args(argv)
    command = args.command or "all"

    if command == "extract":
        out = io.BytesIO()
        write_po(out, extract(), width=100, include_lineno=False)
        if args.output:
            args.output.write_bytes(out.getvalue())
        else:
            sys.stdout.write(out.getvalue().decode("utf-8"))
        return 0
    if command in ("all", "update"):
        keep = getattr(args, "keep_obsolete", False)
        new, kept, dropped = update(keep_obsolete=keep)
        gone = (" (kept as #~)" if keep else " (dropped)") if dropped else ""
        print(f"{PO}: {new} new, {kept} kept, {dropped} no longer in the sources{gone}")
    if command == "merge" or (command == "all" and getattr(args, "json", None)):
        files = [Path(p) for f in args.json for p in (sorted(glob.glob(str(f))) or [str(f)])]
        for line in merge(files):
            print(line)
    if command in ("all", "compile"):
        translated = compile_catalog()
        print(f"{MO}: {translated} translated messages")
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        print(f"{len(found)} problems" if found else "the catalog is whole, translated and compiled")
        return 1 if found else 0
    if command == "lint":
        found = lint()
        for item in found:
            print(item)
        print(f"{len(found)} strings not wrapped")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
