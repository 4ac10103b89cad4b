"""The client screens' codes in the desk's language: an appointment's, a sale's, a membership's state, a
loyalty entry's kind, a note's type, a reminder. The tables are marked `N_` (English, the msgids) and said
through `_` where they are shown (`word`); a code none of them knows is shown as it is."""

from __future__ import annotations

from salon_cli.i18n import N_, _

STATUS_WORD = {"booked": N_("booked"), "checked_in": N_("here"), "in_service": N_("in chair"),
               "completed": N_("done"), "cancelled": N_("cancelled"), "late_cancelled": N_("late cancel"),
               "no_show": N_("no-show")}
SALE_WORD = {"open": N_("open"), "paid": N_("paid"), "void": N_("void"), "partially_refunded": N_("partly refunded"),
             "refunded": N_("refunded")}
LOYALTY_WORD = {"earn": N_("earn"), "redeem": N_("redeem"), "expire": N_("expire"), "void": N_("voided"),
                "welcome": N_("welcome"), "adjust": N_("adjust"), "referral": N_("referral"), "stamp": N_("stamp"),
                "stamp_reward": N_("stamp reward")}
MEMBERSHIP_WORD = {"active": N_("active"), "paused": N_("paused"), "cancelled": N_("cancelled"),
                   "expired": N_("expired")}
REMINDER_WORD = {"24h": N_("reminder 24h"), "1h": N_("reminder 1h"), "both": N_("reminder both"),
                 "none": N_("reminder none")}
NOTE_TYPE_WORD = {"general": N_("general"), "technical": N_("technical"), "medical": N_("medical"),
                  "preference": N_("preference"), "complaint": N_("complaint")}
CHANNEL_WORD = {"email": N_("email")}  # sms, whatsapp: the same in either language
REMINDER_CHOICE = {"both": N_("both"), "none": N_("no reminder")}  # 24h, 1h: the same in either language
KIND_WORD = {"visit": N_("visit"), "sale": N_("sale"), "loyalty": N_("loyalty")}
PROFILE_LABELS = (N_("Phone"), N_("E-mail"), N_("Birthday"), N_("Tags"), N_("Prefers"), N_("Requests"), N_("Visits"),
                  N_("Spent"), N_("No-shows"), N_("Expiry"), N_("Penalties"))


def word(table: dict[str, str], code: str) -> str:
    """A code (a status, a kind) in the desk's language; one the table does not know, as it is."""
    return _(table[code]) if code in table else code


def note_kind(type_: str, private: bool) -> str:
    """'medical, private' in the desk's language."""
    kind = word(NOTE_TYPE_WORD, type_)
    return _("{kind}, private").format(kind=kind) if private else kind
