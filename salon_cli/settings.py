"""Settings from global options and `SALON_*` variables (SPEC.md). Built once, by the interface."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("salon", appauthor=False))


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    default_database: bool  # neither --db nor SALON_DATABASE_URL: the SQLite file in SALON_HOME
    location: str | None = None
    staff: str | None = None
    pin: str | None = field(default=None, repr=False)
    debug: bool = False
    language: str | None = None  # SALON_LANG: the dashboard's and receipts' language (None: the location's)

    @classmethod
    def from_env(
        cls,
        *,
        db: str | None = None,
        location: str | None = None,
        staff: str | None = None,
        pin: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env["SALON_HOME"]).expanduser() if env.get("SALON_HOME") else default_home()
        url = db or env.get("SALON_DATABASE_URL") or None
        return cls(
            home=home,
            database_url=url or f"sqlite:///{home / 'salon.db'}",
            default_database=url is None,
            location=location or env.get("SALON_LOCATION") or None,
            staff=staff or env.get("SALON_STAFF") or None,
            pin=pin or env.get("SALON_PIN") or None,
            debug=env.get("SALON_DEBUG", "") not in ("", "0"),
            language=(env.get("SALON_LANG") or "").strip() or None,
        )

    @property
    def demo_database_url(self) -> str:
        return f"sqlite:///{self.home / 'demo.db'}"
