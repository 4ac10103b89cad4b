"""The desk's Spanish is whole: every string the dashboard, the receipts and the Z-report wrap is in the
catalog (`salon_cli/i18n/locale/es/LC_MESSAGES/salon.po`), translated, with the same `{placeholders}`,
and the committed `salon.mo` is its compile (`scripts/catalogs.py check`, run in-process). And nothing
the dashboard shows is left unwrapped: an `ast` lint of `salon_cli/tui` (`scripts/catalogs.py lint`)
finds user-visible English literals outside `_`, `N_` and `ngettext`."""

from __future__ import annotations

import gettext
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_catalogs():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("catalogs", module)
    spec.loader.exec_module(module)
    return module


catalogs = _load_catalogs()


def test_the_catalog_is_whole_translated_and_compiled():
    found = catalogs.problems(ROOT)
    assert not found, f"{len(found)} problems (python scripts/catalogs.py check):\n" + "\n".join(found)


def test_no_user_visible_english_is_left_unwrapped():
    found = catalogs.lint(ROOT)
    assert not found, f"{len(found)} strings (python scripts/catalogs.py lint):\n" + "\n".join(map(str, found))


def test_the_lint_allows_only_what_it_says_why():
    assert all(reason.strip() for reason in catalogs.ALLOWED.values())
    for path, _text in catalogs.ALLOWED:
        assert (ROOT / catalogs.LINT_ROOT / path).exists(), path


# -- the check and the lint catch what they are for (on a copy of the tree's shape, in tmp_path) ------

SCREEN = '''"""A screen's docstring: not text for the desk."""
from salon_cli.i18n import N_, _, ngettext

LABELS = {"booked": N_("Booked"), "late": "Running late"}


class Shown:
    BINDINGS = [Binding("escape,q", "go_back", N_("Back")), Binding("r", "reload", "Reload")]
    DEFAULT_CSS = """
    Shown #list { height: 1fr; }
    """

    def compose(self):
        yield Static(_("Today's book"), id="title-line", classes="big bold")
        yield Static("loading…", id="summary")
        yield Button("Save", id="save", variant="primary")
        self.query_one("#summary", Static).update(f"{self.count} visits today")
        self.notify(_("{name} booked").format(name="Ana"), title="Booked", severity="error")
        if self.state == "Waiting list":
            pass
        text = f"{_('(today)')} {self.day}"
        label = ngettext("{n} visit", "{n} visits", 2).format(n=2)
        return LABELS["late"], "%H:%M", "{name} ({role})", getattr(self, "go_back"), "textual-dark"
'''


@pytest.fixture
def tree(tmp_path) -> Path:
    """A small tree of the same shape: one dashboard module, the i18n package and a catalog."""
    (tmp_path / "salon_cli" / "tui").mkdir(parents=True)
    (tmp_path / "salon_cli" / "services" / "receipts").mkdir(parents=True)
    (tmp_path / "salon_cli" / "i18n").mkdir(parents=True)
    (tmp_path / "salon_cli" / "tui" / "shown.py").write_text(SCREEN, encoding="utf-8")
    return tmp_path


def test_the_lint_finds_unwrapped_text_and_passes_names_codes_and_formats(tree):
    found = {(item.text, item.why.startswith("wrapped inside")) for item in catalogs.lint(tree)}
    assert found == {
        ("Running late", False),  # a dict's value is shown
        ("Reload", False),  # a binding's description
        ("loading…", False),
        ("Save", False),  # a button's label
        ("{} visits today", False),  # an f-string
        ("Booked", False),  # a notification's title
        ("(today)", True),  # wrapped, but inside an f-string: Babel would not extract it
    }


def _catalog_of(tree: Path, translations: dict) -> None:
    catalogs.update(tree)
    source = tree / "es.json"
    source.write_text(json.dumps(translations, ensure_ascii=False), encoding="utf-8")
    said = catalogs.merge([source], tree)
    assert said[-1].startswith("merged")
    catalogs.compile_catalog(tree)


SPANISH = {"Booked": "Agendada", "Back": "Volver", "Today's book": "La agenda de hoy",
           "{name} booked": "{name} agendada", "(today)": "(hoy)",
           "{n} visit\u0000{n} visits": ["{n} visita", "{n} visitas"]}


def test_the_check_passes_a_whole_catalog_and_names_each_problem(tree):
    _catalog_of(tree, SPANISH)
    assert catalogs.problems(tree) == []
    with open(tree / catalogs.MO, "rb") as compiled:  # it speaks, read through gettext as the app reads it
        spoken = gettext.GNUTranslations(compiled)
    assert spoken.gettext("Back") == "Volver" and spoken.ngettext("{n} visit", "{n} visits", 3) == "{n} visitas"
    assert spoken.ngettext("{n} visit", "{n} visits", 1) == "{n} visita"

    # a new string in the sources, not yet in the catalog
    screen = tree / "salon_cli" / "tui" / "shown.py"
    screen.write_text(SCREEN.replace('"Reload")', 'N_("Reload"))'), encoding="utf-8")
    assert any("not in the catalog: 'Reload'" in p for p in catalogs.problems(tree))
    # in the catalog, untranslated
    catalogs.update(tree)
    catalogs.compile_catalog(tree)
    assert catalogs.problems(tree) == ["untranslated: 'Reload' (salon_cli/tui/shown.py)"]
    # placeholders that differ, and a .mo left stale
    _catalog_of(tree, {**SPANISH, "Reload": "Recargar", "{name} booked": "{nombre} agendada"})
    shutil.copy(tree / catalogs.MO, tree / "kept.mo")
    found = catalogs.problems(tree)
    assert found == ["placeholders differ ({name} vs {nombre}): '{name} booked' -> '{nombre} agendada'"], found
    _catalog_of(tree, {**SPANISH, "Reload": "Recargar"})
    shutil.copy(tree / "kept.mo", tree / catalogs.MO)
    assert catalogs.problems(tree) == [
        f"{catalogs.MO} is not the compile of salon.po (run: python scripts/catalogs.py compile)"]
    catalogs.compile_catalog(tree)
    # a string gone from the sources: obsolete until `update` drops it
    screen.write_text(SCREEN.replace('"Reload")', 'N_("Reload"))').replace('N_("Back")', '"Back"'), encoding="utf-8")
    assert catalogs.problems(tree) == ["obsolete (no longer in the sources): 'Back'"]
    catalogs.update(tree)
    catalogs.compile_catalog(tree)
    assert catalogs.problems(tree) == []


def test_update_keeps_translations_and_guesses_none(tree):
    _catalog_of(tree, SPANISH)
    screen = tree / "salon_cli" / "tui" / "shown.py"
    screen.write_text(SCREEN.replace('N_("Back")', 'N_("Back!")'), encoding="utf-8")  # a near miss: no guess
    catalogs.update(tree)
    catalog = catalogs.read_catalog(tree)
    assert catalog.get("Back!").string == "" and not catalog.get("Back!").fuzzy
    assert catalog.get("Booked").string == "Agendada"
    assert catalog.get("{n} visit").string == ("{n} visita", "{n} visitas")
    before = (tree / catalogs.PO).read_bytes()
    catalogs.update(tree)
    assert (tree / catalogs.PO).read_bytes() == before  # the same sources, the same file
    # the same singular, another plural: its Spanish was of other English, untranslated now
    screen.write_text(SCREEN.replace('"{n} visits"', '"{n} visits today"'), encoding="utf-8")
    catalogs.update(tree)
    entry = catalogs.read_catalog(tree).get("{n} visit")
    assert entry.id[1] == "{n} visits today" and entry.string == ("", "") and not entry.fuzzy


def test_compile_is_deterministic(tree):
    _catalog_of(tree, SPANISH)
    first = (tree / catalogs.MO).read_bytes()
    catalogs.compile_catalog(tree)
    assert (tree / catalogs.MO).read_bytes() == first
