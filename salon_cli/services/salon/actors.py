"""Who is acting: a staff member, or `system` for cron jobs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int | None
    code: str
    name: str
    role: str  # owner | manager | receptionist | stylist | system
    verified: bool = False  # proved who they are with their PIN in this command

    @property
    def is_manager(self) -> bool:
        """An owner or manager who proved it with a PIN (or the system): may override desk rules."""
        return self.is_system or (self.role in ("owner", "manager") and self.verified)

    @property
    def is_system(self) -> bool:
        return self.id is None


SYSTEM = Actor(id=None, code="system", name="system", role="system")
