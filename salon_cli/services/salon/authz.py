"""Role checks for an actor already identified (PINs are checked in `staff.identify`)."""

from __future__ import annotations

from salon_cli.core.permissions import Permission, can
from salon_cli.core.errors import NotPermitted
from salon_cli.services.salon.actors import Actor


# permissions whose name does not read as words after "may not"
WORDS = {
    Permission.cash_expected: "see the drawer's expected cash before the count",
    Permission.day_recount: "count the drawer again",
    Permission.day_close_unfinished: "close a day with work unfinished",
    Permission.client_erase: "erase a client",
}


def authorize(actor: Actor, permission: Permission) -> None:
    if actor.is_system:
        return
    if not can(actor.role, permission):
        raise NotPermitted(
            f"{actor.code} ({actor.role}) may not {WORDS.get(permission) or permission.value.replace('.', ' ')}",
            hint="a manager or the owner must do this (--as CODE --pin PIN)",
        )
