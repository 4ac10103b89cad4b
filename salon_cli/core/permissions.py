"""Who may do what. Roles are ordered owner > manager > receptionist > stylist."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    manager = "manager"
    receptionist = "receptionist"
    stylist = "stylist"


class Permission(StrEnum):
    # desk work: any active staff member
    desk = "desk"
    # manager-only (SPEC.md): these also need the manager's or owner's PIN every time
    staff_manage = "staff.manage"
    service_manage = "service.manage"
    policy_manage = "policy.manage"
    program_manage = "program.manage"
    penalty_waive = "penalty.waive"
    day_reopen = "day.reopen"
    points_adjust = "points.adjust"
    sale_refund = "sale.refund"
    sale_void = "sale.void"
    expense_void = "expense.void"
    client_merge = "client.merge"
    client_erase = "client.erase"  # a client's erasure at their request (services/record/erasure.py)
    notes_private_export = "notes.private.export"
    notes_private_read = "notes.private.read"
    location_manage = "location.manage"
    day_close = "day.close"
    # the blind count (services/closing/counts.py): the drawer's expected cash and its parts before a count
    # of the close is committed, and a count again after the expected cash was shown (manager-only, a PIN)
    cash_expected = "cash.expected"
    day_recount = "day.recount"
    # the guarded close (services/closing/unfinished.py): closing a day with work unfinished (manager-only, a PIN)
    day_close_unfinished = "day.close.unfinished"
    reports_view = "reports.view"
    audit_view = "audit.view"


MANAGER_ONLY = frozenset(
    {
        Permission.staff_manage, Permission.service_manage, Permission.policy_manage,
        Permission.program_manage, Permission.penalty_waive, Permission.day_reopen,
        Permission.points_adjust, Permission.sale_refund, Permission.sale_void, Permission.expense_void,
        Permission.client_merge, Permission.client_erase, Permission.notes_private_export, Permission.location_manage,
        Permission.cash_expected, Permission.day_recount, Permission.day_close_unfinished,
    }
)

_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.owner: frozenset(Permission),
    Role.manager: frozenset(Permission) - {Permission.location_manage},
    # Private notes are for the owner and managers (and each note's own author, a rule of
    # `services.clients.notes`, not a role grant): neither the desk nor other stylists read them.
    Role.receptionist: frozenset({Permission.desk, Permission.day_close}),
    Role.stylist: frozenset({Permission.desk}),
}


def can(role: Role | str, permission: Permission) -> bool:
    return permission in _GRANTS[Role(role)]


def needs_pin(permission: Permission) -> bool:
    return permission in MANAGER_ONLY


RANK = {Role.stylist: 0, Role.receptionist: 1, Role.manager: 2, Role.owner: 3}


def may_grant(actor_role: Role | str, role: Role | str) -> bool:
    """Nobody hands out a role above their own; only an owner makes another owner."""
    return RANK[Role(actor_role)] >= RANK[Role(role)]

