"""desk rules: the desk's discount ceiling, and a payment that carries only a tip

Revision ID: 0012_desk_rules
Revises: 0011_counts
Create Date: 2026-12-06

`policy.max_desk_discount_bp` (20% for every policy already there): a larger discount typed at the
desk needs a manager's PIN. `payment`'s amount may be zero when the payment carries a tip, which is how
a tip is paid in cash on a bill that a reward code, a membership credit or a gift card covered (the tip
used to be dropped).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0012_desk_rules'
down_revision: Union[str, None] = '0011_counts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_desk_discount_bp', sa.Integer(), nullable=False, server_default='2000'))
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.alter_column('max_desk_discount_bp', server_default=None)
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payment_amount_positive'), type_='check')
        batch_op.create_check_constraint(
            'amount_positive', 'amount_cents >= 0 AND (amount_cents > 0 OR tip_cents > 0)')


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payment_amount_positive'), type_='check')
        batch_op.create_check_constraint('amount_positive', 'amount_cents > 0')
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_column('max_desk_discount_bp')
