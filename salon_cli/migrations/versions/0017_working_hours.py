"""working hours: a location's opening hours, each staff member's hours and time off, the book's slot

Revision ID: 0017_working_hours
Revises: 0016_gift_card_refunds
Create Date: 2026-12-06

`opening_hours` and `staff_hours` hold ranges of minutes of the day on a weekday (0 Monday .. 6
Sunday), several a day allowed (a split shift). `time_off` holds a staff member's days off, first to
last day inclusive, with a reason. A location with no opening hours is open at any time, so every
database already there books as before. `policy.slot_min` is the book's row (15 minutes for every
policy already there).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import salon_cli.db.types


revision: str = '0017_working_hours'
down_revision: Union[str, None] = '0016_gift_card_refunds'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _hours_table(name: str, owner: str, referred: str) -> None:
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column(owner, sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_min', sa.Integer(), nullable=False),
    sa.Column('end_min', sa.Integer(), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f(f'ck_{name}_weekday')),
    sa.CheckConstraint('start_min >= 0 AND start_min < end_min AND end_min <= 1440', name=op.f(f'ck_{name}_range')),
    sa.ForeignKeyConstraint([owner], [f'{referred}.id'], name=op.f(f'fk_{name}_{owner}_{referred}')),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}'))
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_{owner}'), [owner], unique=False)


def upgrade() -> None:
    _hours_table('opening_hours', 'location_id', 'location')
    _hours_table('staff_hours', 'staff_id', 'staff')
    op.create_table('time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('first_day <= last_day', name=op.f('ck_time_off_days')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_time_off_created_by_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_time_off_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_off_staff_id'), ['staff_id'], unique=False)
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot_min', sa.Integer(), nullable=False, server_default='15'))
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.alter_column('slot_min', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_column('slot_min')
    for name, owner in (('time_off', 'staff_id'), ('staff_hours', 'staff_id'), ('opening_hours', 'location_id')):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_{owner}'))
        op.drop_table(name)
