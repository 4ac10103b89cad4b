"""Role checks for an actor already identified (PINs are checked in `staff.identify`)."""

from __future__ import annotations

from salon_cli.core.errors import NotPermitted, refusal_words
from salon_cli.core.permissions import Permission, can
from salon_cli.services.salon.actors import Actor

# what a permission lets one do, as words after "may not" (marked: the desk says them in its language)
WORDS = {
    Permission.desk: refusal_words("desk"),
    Permission.staff_manage: refusal_words("staff manage"),
    Permission.service_manage: refusal_words("service manage"),
    Permission.policy_manage: refusal_words("policy manage"),
    Permission.program_manage: refusal_words("program manage"),
    Permission.penalty_waive: refusal_words("penalty waive"),
    Permission.day_reopen: refusal_words("day reopen"),
    Permission.points_adjust: refusal_words("points adjust"),
    Permission.sale_refund: refusal_words("sale refund"),
    Permission.sale_void: refusal_words("sale void"),
    Permission.expense_void: refusal_words("expense void"),
    Permission.client_merge: refusal_words("client merge"),
    Permission.client_erase: refusal_words("erase a client"),
    Permission.notes_private_export: refusal_words("notes private export"),
    Permission.notes_private_read: refusal_words("notes private read"),
    Permission.location_manage: refusal_words("location manage"),
    Permission.day_close: refusal_words("day close"),
    Permission.cash_expected: refusal_words("see the drawer's expected cash before the count"),
    Permission.day_recount: refusal_words("count the drawer again"),
    Permission.day_close_unfinished: refusal_words("close a day with work unfinished"),
    Permission.reports_view: refusal_words("reports view"),
    Permission.audit_view: refusal_words("audit view"),
}
ROLES = {"owner": refusal_words("owner"), "manager": refusal_words("manager"),
         "receptionist": refusal_words("receptionist"), "stylist": refusal_words("stylist")}


def authorize(actor: Actor, permission: Permission) -> None:
    if actor.is_system:
        return
    if not can(actor.role, permission):
        role, doing = ROLES.get(actor.role, actor.role), WORDS[permission]
        raise NotPermitted(f"{actor.code} ({role}) may not {doing}",
                           hint="a manager or the owner must do this (--as CODE --pin PIN)")
