"""benefits that act: the booking horizon, the waitlist, birthday offers and gifts, the gallery on Gold and Black

Revision ID: 0022_benefits
Revises: 0021_client_record
Create Date: 2026-12-07

- `policy.booking_horizon_days` (180) and `priority_horizon_days` (365): how far ahead a visit can be
  booked, for everyone and for clients with priority booking (a membership's `priority_booking`
  benefit or a loyalty tier's `priority`).
- `waitlist_entry`: a client waiting for a slot (a service, perhaps a stylist, between two days); a
  freed slot is offered to priority clients first.
- `promotion.birthday_days`, `template_id`: a birthday offer, and the personal code the birthday job
  issues from it (one per client and window).
- `loyalty_program.birthday_gift_reward_id` and `redemption.birthday_year`: the reward a membership's
  `birthday_gift` gives, one code per client and birthday.
- The default Gold and Black plans gain `photo_gallery`, as the plans are described (the gallery is a
  member's benefit, not the VIP's alone), where their benefits are still the defaults `init` seeded.
- `birthday_offer` and `birthday_gift` become message kinds: the checks of `outbox.template` and
  `message_template.kind` take them, so each has its own wording a location can change (`salon template
  set`) and the gift's message, a service message, needs no marketing consent. Downgrading turns the
  outbox's messages of these kinds into `birthday` ones (as the job wrote them before: the history stays)
  and deletes the locations' own wordings of them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import salon_cli.db.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB with Text())


revision: str = '0022_benefits'
down_revision: Union[str, None] = '0021_client_record'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_KINDS_OLD = "'confirmation', 'reminder', 'no_show_notice', 'birthday', 'win_back'"
_KINDS_NEW = _KINDS_OLD + ", 'birthday_offer', 'birthday_gift'"

# code -> (the benefits `init` seeded before, the benefits it seeds now)
_PLANS = {
    "gold": (["priority_booking"], ["priority_booking", "photo_gallery"]),
    "black": (["priority_booking", "birthday_gift"], ["priority_booking", "birthday_gift", "photo_gallery"]),
}


def _plans_benefits(before: int) -> None:
    """Move the untouched default Gold and Black plans' benefits (index 0 -> 1 on upgrade, 1 -> 0 back)."""
    plan = sa.table("membership_plan", sa.column("id", sa.Integer()), sa.column("code", sa.String()),
                    sa.column("benefits", sa.JSON()))
    bind = op.get_bind()
    for row in bind.execute(sa.select(plan.c.id, plan.c.code, plan.c.benefits)).all():
        pair = _PLANS.get(row.code)
        if pair is not None and list(row.benefits or []) == pair[before]:
            bind.execute(plan.update().where(plan.c.id == row.id).values(benefits=pair[1 - before]))


def _message_kinds(kinds: str) -> None:
    """The message kinds the outbox (with its receipts) and `message_template` take."""
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_template'), type_='check')
        batch_op.create_check_constraint('template', f"template IN ({kinds}, 'receipt')")
    with op.batch_alter_table('message_template', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_message_template_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({kinds})")


def upgrade() -> None:
    op.create_table('waitlist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('waiting', 'booked', 'removed')", name=op.f('ck_waitlist_entry_status')),
    sa.CheckConstraint('to_date >= from_date', name=op.f('ck_waitlist_entry_dates_in_order')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_waitlist_entry_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_waitlist_entry_client_id_client')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id'], name=op.f('fk_waitlist_entry_closed_by_id_staff')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_waitlist_entry_created_by_id_staff')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_waitlist_entry_location_id_location')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_waitlist_entry_service_id_service')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_waitlist_entry_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entry'))
    )
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entry_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entry_location_id'), ['location_id'], unique=False)

    with op.batch_alter_table('loyalty_program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birthday_gift_reward_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_loyalty_program_birthday_gift_reward_id_reward'), 'reward', ['birthday_gift_reward_id'], ['id'])

    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booking_horizon_days', sa.Integer(), nullable=False, server_default='180'))
        batch_op.add_column(sa.Column('priority_horizon_days', sa.Integer(), nullable=False, server_default='365'))
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.alter_column('booking_horizon_days', server_default=None)
        batch_op.alter_column('priority_horizon_days', server_default=None)

    with op.batch_alter_table('promotion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birthday_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('template_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_promotion_template_id'), ['template_id'], unique=False)
        batch_op.create_unique_constraint('one_birthday_code', ['template_id', 'client_id', 'starts_on'])
        batch_op.create_foreign_key(batch_op.f('fk_promotion_template_id_promotion'), 'promotion', ['template_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_promotion_birthday_window'),
                                         'birthday_days IS NULL OR birthday_days BETWEEN 0 AND 60')

    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birthday_year', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('one_birthday_gift', ['account_id', 'birthday_year'])

    _plans_benefits(0)
    _message_kinds(_KINDS_NEW)


def downgrade() -> None:
    op.execute("UPDATE outbox SET template = 'birthday' WHERE template IN ('birthday_offer', 'birthday_gift')")
    op.execute("DELETE FROM message_template WHERE kind IN ('birthday_offer', 'birthday_gift')")
    _message_kinds(_KINDS_OLD)
    _plans_benefits(1)
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.drop_constraint('one_birthday_gift', type_='unique')
        batch_op.drop_column('birthday_year')

    with op.batch_alter_table('promotion', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_promotion_birthday_window'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_promotion_template_id_promotion'), type_='foreignkey')
        batch_op.drop_constraint('one_birthday_code', type_='unique')
        batch_op.drop_index(batch_op.f('ix_promotion_template_id'))
        batch_op.drop_column('template_id')
        batch_op.drop_column('birthday_days')

    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_column('priority_horizon_days')
        batch_op.drop_column('booking_horizon_days')

    with op.batch_alter_table('loyalty_program', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_loyalty_program_birthday_gift_reward_id_reward'), type_='foreignkey')
        batch_op.drop_column('birthday_gift_reward_id')

    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlist_entry_location_id'))
        batch_op.drop_index(batch_op.f('ix_waitlist_entry_client_id'))

    op.drop_table('waitlist_entry')
