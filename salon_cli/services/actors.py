"""Who is acting: a staff member, or `system` for cron jobs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int | None
    code: str
    name: str
    role: str  # owner | manager | receptionist | stylist | system

    @property
    def is_system(self) -> bool:
        return self.id is None


SYSTEM = Actor(id=None, code="system", name="system", role="system")
