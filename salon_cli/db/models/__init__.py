"""The tables, one module per area of the salon, behind one import surface: `from salon_cli.db.models import X`.

Importing this package registers every table on `SQLModel.metadata` (Alembic's env and `salon db upgrade`
rely on it). Money is integer minor units (`*_cents`), instants are UTC (`UTCDateTime`).

Every change to these tables goes through a service, which writes its audit row in the same
transaction. Migrations in `salon_cli/migrations` must match these modules exactly (a test checks).

`base` holds what every table shares; each area module imports only `base` (foreign keys name tables,
not classes), never another area, so the areas can be imported in any order.
"""

from __future__ import annotations

from salon_cli.db.models.base import (
    _PARTIAL,
    SQLModel,
    TableModel,
    _in,
    _utc,
    partial_index,
    partial_indexes_for_postgresql,
)
from salon_cli.db.models.salon import (
    AuditLog, JobLock, JobRun, Location, OpeningHours, Policy, Product, Service, Staff, StaffHours, TimeOff,
)
from salon_cli.db.models.clients import (
    FOLLOW_UP_STATUSES,
    GENDERS,
    Client,
    ClientFollowUp,
    ClientPreferredStaff,
    ClientNote,
    ClientPhoto,
    ClientPref,
    ClientSearchKey,
    ClientTag,
    Communication,
)
from salon_cli.db.models.book import (
    PENALTY_KINDS, PENALTY_STATUSES, WAITLIST_STATUSES, Appointment, AppointmentItem, Penalty, WaitlistEntry,
)
from salon_cli.db.models.till import (
    LINE_KINDS,
    PAYMENT_METHODS,
    PAYMENT_STATUSES,
    REFUND_STATUSES,
    SALE_STATUSES,
    GiftCard,
    Payment,
    Refund,
    Sale,
    SaleLine,
)
from salon_cli.db.models.stripe import STRIPE_EVENT_STATUSES, StripeEvent
from salon_cli.db.models.closing import (
    CASH_MOVEMENT_KINDS,
    CASH_REVEAL_VIAS,
    EXPENSE_SOURCES,
    EXPENSE_STATUSES,
    CashCount,
    CashMovement,
    CashReveal,
    DayClose,
    Expense,
)
from salon_cli.db.models.loyalty import (
    LOYALTY_ENTRY_KINDS,
    REDEMPTION_STATUSES,
    REFERRAL_STATUSES,
    REWARD_KINDS,
    LoyaltyAccount,
    LoyaltyEntry,
    LoyaltyLot,
    LoyaltyLotUse,
    LoyaltyProgram,
    Redemption,
    Referral,
    Reward,
)
from salon_cli.db.models.promotions import PROMOTION_KINDS, PROMOTION_USE_STATUSES, Promotion, PromotionUse
from salon_cli.db.models.memberships import MEMBERSHIP_STATUSES, Membership, MembershipPeriod, MembershipPlan
from salon_cli.db.models.messages import (
    MESSAGE_CHANNELS,
    MESSAGE_KINDS,
    MESSAGE_LANGUAGES,
    MESSAGE_PURPOSES,
    OUTBOX_STATUSES,
    OUTBOX_TEMPLATES,
    MessageTemplate,
    Outbox,
)

__all__ = [
    # base
    "SQLModel", "TableModel", "_PARTIAL", "_in", "_utc", "partial_index", "partial_indexes_for_postgresql",
    # salon
    "Location", "Staff", "Policy", "Service", "Product", "OpeningHours", "StaffHours", "TimeOff",
    "AuditLog", "JobRun", "JobLock",
    # clients
    "Client", "ClientTag", "ClientNote", "ClientPref", "ClientSearchKey", "Communication", "ClientPhoto",
    "ClientFollowUp", "ClientPreferredStaff", "FOLLOW_UP_STATUSES", "GENDERS",
    # book
    "Appointment", "AppointmentItem", "PENALTY_KINDS", "PENALTY_STATUSES", "Penalty", "WAITLIST_STATUSES", "WaitlistEntry",
    # till
    "SALE_STATUSES", "LINE_KINDS", "PAYMENT_METHODS", "PAYMENT_STATUSES", "REFUND_STATUSES",
    "Sale", "SaleLine", "Payment", "Refund", "GiftCard",
    # stripe
    "STRIPE_EVENT_STATUSES", "StripeEvent",
    # closing
    "DayClose", "CashCount", "CashReveal", "CASH_REVEAL_VIAS", "EXPENSE_SOURCES", "EXPENSE_STATUSES",
    "CASH_MOVEMENT_KINDS", "Expense", "CashMovement",
    # loyalty
    "LOYALTY_ENTRY_KINDS", "REWARD_KINDS", "REDEMPTION_STATUSES", "REFERRAL_STATUSES", "Referral",
    "LoyaltyProgram", "LoyaltyAccount", "LoyaltyEntry", "LoyaltyLot", "LoyaltyLotUse", "Reward", "Redemption",
    # promotions
    "PROMOTION_KINDS", "PROMOTION_USE_STATUSES", "Promotion", "PromotionUse",
    # memberships
    "MEMBERSHIP_STATUSES", "MembershipPlan", "Membership", "MembershipPeriod",
    # messages
    "MESSAGE_CHANNELS", "MESSAGE_KINDS", "MESSAGE_LANGUAGES", "MESSAGE_PURPOSES", "OUTBOX_STATUSES", "OUTBOX_TEMPLATES",
    "Outbox", "MessageTemplate",
]
