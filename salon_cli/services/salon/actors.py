"""Who is acting: a staff member, or `system` for cron jobs (with who ran the job by hand)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Actor:
    id: int | None
    code: str
    name: str
    role: str  # owner | manager | receptionist | stylist | system
    verified: bool = False  # proved who they are with their PIN in this command
    # `system` only: who ran the job (the staff code given with --as, else the machine's user), kept
    # beside `system` in the audit log and the job's run
    run_by: str | None = None

    @property
    def is_manager(self) -> bool:
        """An owner or manager who proved it with a PIN (or the system): may override desk rules."""
        return self.is_system or (self.role in ("owner", "manager") and self.verified)

    @property
    def is_system(self) -> bool:
        return self.id is None


SYSTEM = Actor(id=None, code="system", name="system", role="system")
RUN_BY_MAX = 64  # the audit log's and job_run's `run_by` column


def system_run_by(who: str) -> Actor:
    """`system`, run by `who` (a staff code, or the machine's user name)."""
    return replace(SYSTEM, run_by=who.strip()[:RUN_BY_MAX] or None)
