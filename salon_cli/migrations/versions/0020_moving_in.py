"""moving in from another system's export: the source's codes, a receipt's own figures, negative lines, returns by staff, who cancelled

Revision ID: 0020_moving_in
Revises: 0019_receipt_messages
Create Date: 2026-12-07

- `service.external_code`, `product.external_code`: the code the other system gave the item
  (`SH UR 300`, `OIL9.5ML`, `CUT+2`), kept as it is beside the valid code derived from it.
- `sale.source`: an imported receipt's own figures as its file gave them (a tax of `3.1875`, its
  clients), so that a report can show the source's figure beside ours.
- `sale_line.kind` may be `discount` (a negative line of a receipt: "misc -50") or `return` (an
  item given back on a later receipt); both carry their staff member and negative amounts.
- `refund.staff_id`: who gave the money back, when the source says (an imported return): revenue
  by staff takes it from them.
- `appointment.cancelled_by`: who cancelled, as an imported cancellations report names them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

import salon_cli.db.types


revision: str = '0020_moving_in'
down_revision: Union[str, None] = '0019_receipt_messages'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_OLD = "kind IN ('service', 'product', 'fee', 'gift_card', 'membership', 'deposit')"
_NEW = "kind IN ('service', 'product', 'fee', 'gift_card', 'membership', 'deposit', 'discount', 'return')"


def upgrade() -> None:
    # plain ADD COLUMN where no constraint comes with it: a batch would copy tables others refer to
    op.add_column('service', sa.Column('external_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column('product', sa.Column('external_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column('sale', sa.Column('source', salon_cli.db.types.JSONDocument(), nullable=True))
    op.add_column('appointment', sa.Column('cancelled_by', sqlmodel.sql.sqltypes.AutoString(length=120),
                                           nullable=True))
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sale_line_kind'), type_='check')
        batch_op.create_check_constraint('kind', _NEW)
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_refund_staff_id_staff'), 'staff', ['staff_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_refund_staff_id_staff'), type_='foreignkey')
        batch_op.drop_column('staff_id')
    op.execute("DELETE FROM sale_line WHERE kind IN ('discount', 'return')")
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sale_line_kind'), type_='check')
        batch_op.create_check_constraint('kind', _OLD)
    op.drop_column('appointment', 'cancelled_by')  # SQLite 3.35+ drops a column in place
    op.drop_column('sale', 'source')
    op.drop_column('product', 'external_code')
    op.drop_column('service', 'external_code')
