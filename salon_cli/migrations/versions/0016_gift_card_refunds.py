"""gift card refunds: money given back for a gift card is value the card no longer holds

Revision ID: 0016_gift_card_refunds
Revises: 0015_deposits
Create Date: 2026-12-06

`gift_card.refunded_cents` is the value taken off a card because the sale that sold it gave the money
back (`till.gift_cards.follow_refunds`). Cards already there took nothing off (0): a card whose sale was
refunded before this revision keeps its balance (nothing is rewritten behind the owner's back).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0016_gift_card_refunds'
down_revision: Union[str, None] = '0015_deposits'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WIDE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table('gift_card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_cents', WIDE, nullable=False, server_default='0'))
    with op.batch_alter_table('gift_card', schema=None) as batch_op:
        batch_op.alter_column('refunded_cents', server_default=None)
        batch_op.create_check_constraint('refunded_not_negative', 'refunded_cents >= 0')
        batch_op.create_check_constraint('refunded_within_initial', 'balance_cents + refunded_cents <= initial_cents')


def downgrade() -> None:
    with op.batch_alter_table('gift_card', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_gift_card_refunded_within_initial'), type_='check')
        batch_op.drop_constraint(op.f('ck_gift_card_refunded_not_negative'), type_='check')
        batch_op.drop_column('refunded_cents')
