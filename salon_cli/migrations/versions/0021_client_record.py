"""client record: note edits, follow-ups, erasure, reward windows and stock, referral codes and referrals

Revision ID: 0021_client_record
Revises: 0020_moving_in
Create Date: 2026-12-07

- `client_note.edited_at`, `edited_by_id`: `client note-edit` keeps who changed a note last (the
  before and after are in the audit log).
- `client_follow_up`: something to do about a client on a day (call back, a patch test's result).
- `client.erased_at`: a client erased at their request; the row stays, anonymous, under the money.
- `reward.available_from`, `available_to`, `stock`, `retired_at`: when a reward can be redeemed, how
  many are left, and when it was retired.
- `loyalty_account.referral_code` and `referral`: a code per client, and each referral with its
  status. The referrals recorded before (`loyalty_account.referred_by_id`) become rows: `rewarded`
  where the referrer's bonus was paid, else `pending`.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import salon_cli.db.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB with Text())


revision: str = '0021_client_record'
down_revision: Union[str, None] = '0020_moving_in'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('client_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name=op.f('ck_client_follow_up_status')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_follow_up_client_id_client')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id'], name=op.f('fk_client_follow_up_closed_by_id_staff')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_client_follow_up_created_by_id_staff')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_client_follow_up_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_follow_up'))
    )
    with op.batch_alter_table('client_follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_follow_up_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_client_follow_up_status_due', ['status', 'due_on'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('referred_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rewarded_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'rewarded', 'expired')", name=op.f('ck_referral_status')),
    sa.CheckConstraint('referrer_id <> referred_id', name=op.f('ck_referral_not_self')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_referral_created_by_id_staff')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_referral_location_id_location')),
    sa.ForeignKeyConstraint(['referred_id'], ['client.id'], name=op.f('fk_referral_referred_id_client')),
    sa.ForeignKeyConstraint(['referrer_id'], ['client.id'], name=op.f('fk_referral_referrer_id_client')),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name=op.f('fk_referral_sale_id_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('referred_id', name=op.f('uq_referral_referred_id'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_referrer_id'), ['referrer_id'], unique=False)

    # plain ADD COLUMN where no constraint comes with it: a batch would copy tables others refer to
    op.add_column('client', sa.Column('erased_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('client_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('edited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_client_note_edited_by_id_staff'), 'staff', ['edited_by_id'], ['id'])

    with op.batch_alter_table('loyalty_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_loyalty_account_referral_code'), ['referral_code'])

    op.add_column('reward', sa.Column('available_from', sa.Date(), nullable=True))
    op.add_column('reward', sa.Column('available_to', sa.Date(), nullable=True))
    op.add_column('reward', sa.Column('stock', sa.Integer(), nullable=True))
    op.add_column('reward', sa.Column('retired_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True))

    # the referrals recorded so far: rewarded where the referrer's bonus entry exists
    op.execute("""
        INSERT INTO referral (referrer_id, referred_id, status, created_at, rewarded_at, sale_id, location_id)
        SELECT a.referred_by_id, a.client_id,
               CASE WHEN e.id IS NULL THEN 'pending' ELSE 'rewarded' END,
               a.enrolled_at, e.created_at, e.sale_id, a.enrolled_location_id
        FROM loyalty_account a
        LEFT JOIN loyalty_entry e ON e.key = 'referral:client:' || CAST(a.client_id AS VARCHAR(20))
        WHERE a.referred_by_id IS NOT NULL AND a.referred_by_id <> a.client_id
    """)


def downgrade() -> None:
    for column in ('retired_at', 'stock', 'available_to', 'available_from'):
        op.drop_column('reward', column)  # SQLite 3.35+ drops a column in place

    with op.batch_alter_table('loyalty_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_loyalty_account_referral_code'), type_='unique')
        batch_op.drop_column('referral_code')

    with op.batch_alter_table('client_note', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_client_note_edited_by_id_staff'), type_='foreignkey')
        batch_op.drop_column('edited_by_id')
        batch_op.drop_column('edited_at')

    op.drop_column('client', 'erased_at')

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_referrer_id'))

    op.drop_table('referral')
    with op.batch_alter_table('client_follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_client_follow_up_status_due')
        batch_op.drop_index(batch_op.f('ix_client_follow_up_client_id'))

    op.drop_table('client_follow_up')
