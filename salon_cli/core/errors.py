"""One error family. Each error carries the exit code of SPEC.md; interfaces map it, services raise it."""

from __future__ import annotations


class SalonError(Exception):
    """Refused by a business rule (exit 1) unless a subclass says otherwise."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(SalonError):
    """The named record does not exist (exit 1)."""


class RuleViolation(SalonError):
    """A business rule refuses the change (exit 1)."""


class Conflict(RuleViolation):
    """The change collides with existing data, e.g. a duplicate code (exit 1)."""


class InvalidInput(SalonError):
    """Malformed value, file or option (exit 2)."""

    exit_code = 2


class NotPermitted(SalonError):
    """Missing or wrong PIN, role lacks the permission, PIN locked (exit 3)."""

    exit_code = 3


class Busy(SalonError):
    """Another run of the same job holds its lock (exit 4)."""

    exit_code = 4


class OutsideServiceFailed(SalonError):
    """Stripe, mail or SMS failed; nothing was recorded as paid or sent (exit 5)."""

    exit_code = 5


def refusal_words(text: str) -> str:
    """Words of a refusal made apart from its raise, marked so that the desk's catalog takes them like a
    raised refusal's (`i18n.refusals`): a reason returned rather than raised (the booking form shows why
    a time would be refused before saving it), or a phrase a refusal puts inside its message (an
    appointment's state, the name of what was typed). Returns `text` as it is."""
    return text
