"""deposits: what a no-show's or late cancellation's deposit leaves after paying the fee

Revision ID: 0015_deposits
Revises: 0014_definite_rewards
Create Date: 2026-12-06

A deposit is a payment (purpose `deposit`) on the appointment's sale; the payment table had the
purpose already. `policy.deposit_remainder` (`refund`, for every policy already there, or `keep`) says
what happens to a deposit left over once it has paid a no-show's or a late cancellation's fee; that
remainder is a sale line of the new kind `deposit` (never taxed or discounted), kept or given back.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0015_deposits'
down_revision: Union[str, None] = '0014_definite_rewards'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KINDS = ('service', 'product', 'fee', 'gift_card', 'membership')  # a sale line's kinds before this revision


def upgrade() -> None:
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deposit_remainder', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False,
                                      server_default='refund'))
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.alter_column('deposit_remainder', server_default=None)
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sale_line_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({', '.join(repr(k) for k in KINDS + ('deposit',))})")


def downgrade() -> None:
    op.execute("UPDATE sale_line SET kind = 'fee' WHERE kind = 'deposit'")
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sale_line_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({', '.join(repr(k) for k in KINDS)})")
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_column('deposit_remainder')
