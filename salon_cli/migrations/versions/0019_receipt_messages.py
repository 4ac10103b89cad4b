"""the outbox carries receipts: `receipt` among the outbox's templates

Revision ID: 0019_receipt_messages
Revises: 0018_desk_till
Create Date: 2026-12-07

A receipt e-mailed to a client (`salon sale receipt ID --email`) is an outbox message of its own kind,
not a `confirmation`. Only the outbox's check changes; `message_template` keeps its kinds (a receipt is
laid out by `services.receipts`, not from an editable template).
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0019_receipt_messages'
down_revision: Union[str, None] = '0018_desk_till'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_OLD = "template IN ('confirmation', 'reminder', 'no_show_notice', 'birthday', 'win_back')"
_NEW = "template IN ('confirmation', 'reminder', 'no_show_notice', 'birthday', 'win_back', 'receipt')"


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_template'), type_='check')
        batch_op.create_check_constraint('template', _NEW)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE template = 'receipt'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_template'), type_='check')
        batch_op.create_check_constraint('template', _OLD)
