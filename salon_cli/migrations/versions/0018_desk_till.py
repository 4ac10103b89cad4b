"""the desk's till: a location's tax id, its receipt printer and receipts' way out, appointments left booked past a close

Revision ID: 0018_desk_till
Revises: 0017_working_hours
Create Date: 2026-12-07

`location.tax_id` is printed on every receipt (RFC, NIF, VAT number). `policy.receipt_printer` names
the location's ESC/POS printer (`network:HOST[:PORT]`, `usb:VENDOR:PRODUCT`, `serial:DEVICE`,
`file:PATH`; none: no printer) and `policy.receipt_via` the ways a receipt goes out by default
(`screen`, `print`, `email`, comma-separated; `screen` for every policy already there).
`appointment.left_booked_reason` and `left_booked_on` say why an appointment stayed booked past the
close of its day, and which day: the guarded close asks for them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0018_desk_till'
down_revision: Union[str, None] = '0017_working_hours'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # plain ADD COLUMN: a batch would copy `location` and `appointment`, which other tables refer to
    op.add_column('location', sa.Column('tax_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_printer', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('receipt_via', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False,
                                      server_default='screen'))
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.alter_column('receipt_via', server_default=None)
    op.add_column('appointment', sa.Column('left_booked_reason', sqlmodel.sql.sqltypes.AutoString(length=255),
                                           nullable=True))
    op.add_column('appointment', sa.Column('left_booked_on', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('appointment', 'left_booked_on')  # SQLite 3.35+ drops a column in place
    op.drop_column('appointment', 'left_booked_reason')
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_column('receipt_via')
        batch_op.drop_column('receipt_printer')
    op.drop_column('location', 'tax_id')
