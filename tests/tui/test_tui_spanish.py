"""The dashboard in the desk's language: `SALON_LANG` (es, en), else the location's message language.

The demo salon's language is Spanish. tests/tui/conftest.py sets `SALON_LANG=en` for every dashboard
test; these tests set it to `es`, or delete it to get the location's. An unknown `SALON_LANG` is refused
by `salon tui` before anything opens."""

from __future__ import annotations

import asyncio

import pytest
from textual.command import CommandInput, CommandPalette
from textual.widgets._footer import FooterKey

from cli_helpers import salon
from salon_cli import i18n
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import locations
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.tui.app import SalonApp
from tui_helpers import settle, text_of

SIZE = (120, 40)
# the app's keys on Today's footer, English and Spanish (/tmp/i18n's glossary)
FOOTER = {"Quit": "Salir", "Find client": "Buscar cliente", "Book": "Agendar", "New client": "Cliente nuevo",
          "Help": "Ayuda"}


def _footer(app) -> list[str]:
    return [str(key.description) for key in app.screen.query(FooterKey)]


async def _desk(engine) -> tuple[str, list[str], str]:
    """The language the app chose, its footer's keys and Today's title."""
    app = SalonApp(engine, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert i18n.active() == app.language
        return app.language, _footer(app), text_of(app, "#title")


def _speaks_spanish(footer: list[str], title: str) -> None:
    assert set(FOOTER.values()) <= set(footer), footer
    assert not set(FOOTER) & set(footer), footer
    assert "sábado" in title and "Saturday" not in title, title  # the demo's today: Saturday 21 November 2026


def _speaks_english(footer: list[str], title: str) -> None:
    assert set(FOOTER) <= set(footer), footer
    assert not set(FOOTER.values()) & set(footer), footer
    assert "Saturday" in title and "sábado" not in title, title


def test_salon_lang_es_speaks_spanish(demo_engine, monkeypatch):
    monkeypatch.setenv("SALON_LANG", "es")
    language, footer, title = asyncio.run(_desk(demo_engine))
    assert language == "es"
    _speaks_spanish(footer, title)
    assert i18n.active() == "en"  # as it was before the app: the language is the app's while it runs


def test_salon_lang_en_speaks_english(demo_engine):
    language, footer, title = asyncio.run(_desk(demo_engine))  # SALON_LANG=en: conftest.py
    assert language == "en"
    _speaks_english(footer, title)


def test_without_salon_lang_the_location_chooses(demo_engine, monkeypatch):
    monkeypatch.delenv("SALON_LANG")
    language, footer, title = asyncio.run(_desk(demo_engine))
    assert language == "es"  # the demo's policy: message language es
    _speaks_spanish(footer, title)

    with UnitOfWork(demo_engine) as uow:
        policy_row(uow.session, locations.resolve(uow.session, None)).message_language = "en"
        uow.commit()
    language, footer, title = asyncio.run(_desk(demo_engine))
    assert language == "en"
    _speaks_english(footer, title)


def test_spanish_palette_and_help(demo_engine, monkeypatch):
    """Textual's own words the desk sees: the palette's placeholder and system commands; and F1."""
    monkeypatch.setenv("SALON_LANG", "es")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            titles = {command.title for command in app.get_system_commands(app.screen)}
            assert {"Tema", "Salir", "Teclas", "Captura"} <= titles, titles
            assert not {"Theme", "Quit", "Keys", "Screenshot"} & titles
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            assert app.screen.query_one(CommandInput).placeholder == "Buscar comandos…"
            await pilot.press("escape")
            await pilot.pause()
            app.search_themes()  # the palette's Theme
            await pilot.pause()
            assert app.screen.query_one(CommandInput).placeholder == "Buscar temas…"
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("f1")
            await pilot.pause()
            help_text = text_of(app, "#dialog Static")
            assert "En todas partes:" in help_text and "Paleta de comandos" in help_text
            assert "Buscar cliente" in help_text and "Everywhere" not in help_text

    asyncio.run(scenario())


def test_an_unknown_salon_lang_is_refused_before_anything_opens(tmp_path, monkeypatch):
    monkeypatch.setenv("SALON_LANG", "fr")
    run = salon(None, "tui", "--demo")
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "SALON_LANG" in lines[0], run.stderr
    assert not (tmp_path / "home" / "demo.db").exists()  # no demo built, no dashboard opened
    assert not (tmp_path / "home" / "salon.db").exists()


def test_today_in_spanish_snapshot(demo_engine, snap_compare, monkeypatch):
    monkeypatch.setenv("SALON_LANG", "es")
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("value, language", [("es_MX.UTF-8", "es"), ("en-US", "en"), ("ES", "es")])
def test_salon_lang_names_a_language_with_or_without_its_country(value, language):
    assert i18n.choose("es", value) == language


def test_the_services_refusals_read_spanish_at_a_spanish_desk(demo_engine, monkeypatch):
    """The till's refusals come from the services in English (the command line prints them so); at a
    Spanish desk they read Spanish, values and all, and still change nothing."""
    from test_tui_checkout import fill, open_checkout, sale_of, today
    from tui_helpers import SOFIA

    from salon_cli.core.money import format_amount

    monkeypatch.setenv("SALON_LANG", "es")
    appt = today(demo_engine, "in_service")[0]

    async def scenario() -> list[str]:
        app = SalonApp(demo_engine, poll_seconds=0)
        said = []
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            balance = screen.shown.balance_cents
            await pilot.press("2")
            await fill(pilot, amount=format_amount(balance + 100, "MXN"))
            said.append(text_of(app, "#summary"))
            await pilot.press("t")
            await fill(pilot, tip="diez")
            said.append(text_of(app, "#summary"))
            await pilot.press("d")
            await fill(pilot, discount="150%")
            said.append(text_of(app, "#summary"))
            assert screen.sale is None and screen.tip_cents == 0
        return said

    card, tip, discount = asyncio.run(scenario())
    assert card.startswith("rechazado: un pago de ") and "supera" in card, card
    assert tip.startswith("rechazado: propina 'diez' no es un número"), tip
    assert discount.startswith("rechazado: descuento '150%' debe estar entre"), discount
    for line in (card, tip, discount):
        assert not any(word in line for word in ("refused", " is ", " not ", " must ")), line
    assert sale_of(demo_engine, appt.id) is None
