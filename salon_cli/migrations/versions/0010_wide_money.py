"""wide money: every amount of money and every count of points is a 64-bit integer

Revision ID: 0010_wide_money
Revises: 0009_messages
Create Date: 2026-12-06

PostgreSQL's INTEGER is 32-bit: an IDR or COP salon could not close a day (`integer out of range`).
Each `*_cents`, points and stamps column becomes BIGINT there. SQLite's INTEGER is already 64-bit, so
nothing changes on SQLite (the models declare the column INTEGER on SQLite, BIGINT elsewhere).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010_wide_money'
down_revision: Union[str, None] = '0009_messages'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WIDE = {
    'appointment': ['price_cents', 'deposit_cents'],
    'appointment_item': ['price_cents'],
    'cash_movement': ['amount_cents'],
    'day_close': ['expected_cash_cents', 'counted_cash_cents', 'variance_cents'],
    'expense': ['amount_cents'],
    'gift_card': ['initial_cents', 'balance_cents'],
    'loyalty_account': ['points', 'stamps', 'lifetime_points'],
    'loyalty_entry': ['points', 'stamps'],
    'loyalty_lot': ['earned', 'remaining'],
    'loyalty_lot_use': ['points'],
    'loyalty_program': ['min_purchase_cents', 'welcome_bonus', 'referral_bonus', 'min_redemption'],
    'membership_plan': ['monthly_price_cents'],
    'payment': ['amount_cents', 'tip_cents', 'tendered_cents', 'change_cents'],
    'penalty': ['amount_cents'],
    'policy': ['no_show_fee_value', 'late_cancel_fee_value', 'variance_note_over_cents'],
    'product': ['price_cents'],
    'redemption': ['value', 'points'],
    'refund': ['amount_cents'],
    'reward': ['value', 'points_cost'],
    'sale': ['discount_value', 'subtotal_cents', 'discount_cents', 'tax_cents', 'total_cents', 'tip_cents',
             'paid_cents', 'refunded_cents'],
    'sale_line': ['unit_price_cents', 'gross_cents', 'discount_cents', 'net_cents', 'tax_cents', 'total_cents'],
    'service': ['price_cents'],
    'stripe_event': ['created'],
}


def _retype(to: sa.types.TypeEngine, frm: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return  # INTEGER is 64-bit on SQLite already
    for table, columns in WIDE.items():
        for column in columns:
            op.alter_column(table, column, type_=to, existing_type=frm)


def upgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())
