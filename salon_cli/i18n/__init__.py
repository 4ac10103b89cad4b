"""The desk's words in the desk's language: gettext catalogs (Babel's extract/update/compile).

The source language is English: a string of the dashboard, a receipt or the Z-report is written in
English and wrapped where it is shown, `_("Find client")`. `salon_cli/i18n/locale/es/LC_MESSAGES/salon.po`
holds its Spanish, compiled to `salon.mo` beside it (shipped in the wheel); `scripts/catalogs.py` runs
Babel over the sources (extract, update, compile, check).

One language is active at a time for the process (`use("es")`): the dashboard sets it once when it
starts, from `SALON_LANG` or the location's language. `_` translates at the moment it is called, so a
string that is defined at import time (a class's `BINDINGS`, a module's table of labels) is only
marked with `N_` and translated where it is shown.

Stdlib only: `salon --help` loads nothing of this.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("es", "en")
DOMAIN = "salon"
LOCALE_DIR = Path(__file__).parent / "locale"

_active = "en"


@lru_cache(maxsize=None)
def catalog(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of `lang` (English: the source strings themselves)."""
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def choose(location_language: str | None, override: str | None = None) -> str:
    """`override` (SALON_LANG: `es`, `en`, also `es_MX`, `en-US.UTF-8`) else the location's, else es.
    An override that is neither language is refused (`ValueError`, said by the caller)."""
    if override:
        wanted = override.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
        if wanted not in LANGUAGES:
            raise ValueError(f"SALON_LANG {override!r} is not es or en")
        return wanted
    return location_language if location_language in LANGUAGES else "es"


def use(lang: str) -> None:
    """Make `lang` the language `_` speaks from now on."""
    global _active
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    catalog(lang)  # a missing catalog fails here, at start, not at the first word
    _active = lang


def active() -> str:
    return _active


def _(message: str) -> str:
    """`message` (English) in the active language."""
    return catalog(_active).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the active language (Spanish has two forms too)."""
    return catalog(_active).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the active language, as said in `context` (one English word, two Spanish ones: a
    sale is "abierta", a day "abierto")."""
    return catalog(_active).pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """Marks `message` with its context for the catalog, untranslated: translate it with `pgettext`
    (or a catalog's own `pgettext`) where shown."""
    return message


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it now: translate it with `_` where shown."""
    return message
