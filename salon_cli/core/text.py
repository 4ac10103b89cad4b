"""Folding names for matching: case, accents and spacing never decide whether two names match."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """'  José  MUÑOZ ' -> 'jose munoz'."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


def name_key(first: str, last: str) -> str:
    return fold(f"{first} {last}")[:170]
