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
- `promotion`, `promotion_use`, `sale_line.promotion_id`: promotions (codes and automatic offers)
  with their rules, each use on a sale, and the discount line a promotion puts on a sale.
- The client's profile in parts: address (`street`, `city`, `state`, `postal_code`, `country`), a
  second phone and e-mail, occupation, emergency contact name and phone; `client_preferred_staff`
  (several preferred stylists in order). The one-line address moves to `street`, the emergency
  contact into its name and phone (E.164 when it reads as a number of the location's country); a
  preferred stylist of `client_pref` becomes the first of the list. Then `client.address`,
  `client.emergency_contact` and `client_pref.preferred_staff_id` are dropped (a downgrade puts them
  back, filled from the parts).
"""
import re
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
    op.create_table('client_preferred_staff',
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_preferred_staff_client_id_client')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_client_preferred_staff_staff_id_staff')),
    sa.PrimaryKeyConstraint('client_id', 'staff_id', name=op.f('pk_client_preferred_staff'))
    )
    op.create_table('promotion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('value', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('days', salon_cli.db.types.JSONDocument(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=True),
    sa.Column('end_minute', sa.Integer(), nullable=True),
    sa.Column('min_spend_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('tag', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('new_clients', sa.Boolean(), nullable=False),
    sa.Column('per_client', sa.Integer(), nullable=True),
    sa.Column('use_limit', sa.Integer(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('stackable', sa.Boolean(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('ended_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('extra', salon_cli.db.types.JSONDocument(), nullable=True),
    sa.CheckConstraint("kind IN ('percent', 'amount', 'free_service', 'points_multiplier')", name=op.f('ck_promotion_kind')),
    sa.CheckConstraint('use_limit IS NULL OR uses <= use_limit', name=op.f('ck_promotion_within_limit')),
    sa.CheckConstraint('uses >= 0', name=op.f('ck_promotion_uses_not_negative')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_promotion_value_not_negative')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_promotion_client_id_client')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_promotion_created_by_id_staff')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['staff.id'], name=op.f('fk_promotion_ended_by_id_staff')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_promotion_location_id_location')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_promotion_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion')),
    sa.UniqueConstraint('code', name=op.f('uq_promotion_code'))
    )
    with op.batch_alter_table('promotion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_client_id'), ['client_id'], unique=False)

    op.create_table('promotion_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promotion_id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('discount_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('voided_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('applied', 'voided')", name=op.f('ck_promotion_use_status')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_promotion_use_client_id_client')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_promotion_use_created_by_id_staff')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_promotion_use_location_id_location')),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotion.id'], name=op.f('fk_promotion_use_promotion_id_promotion')),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name=op.f('fk_promotion_use_sale_id_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_use')),
    sa.UniqueConstraint('promotion_id', 'sale_id', name='one_per_sale')
    )
    with op.batch_alter_table('promotion_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_use_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_use_promotion_id'), ['promotion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_use_sale_id'), ['sale_id'], unique=False)

    for column in (
            sa.Column('street', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
            sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
            sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
            sa.Column('postal_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
            sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
            sa.Column('phone2', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
            sa.Column('email2', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
            sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
            sa.Column('emergency_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
            sa.Column('emergency_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    ):
        op.add_column('client', column)

    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promotion_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sale_line_promotion_id_promotion'), 'promotion', ['promotion_id'], ['id'])

    _move_address_and_emergency_contact()
    op.execute("INSERT INTO client_preferred_staff (client_id, staff_id, position) "
               "SELECT client_id, preferred_staff_id, 1 FROM client_pref WHERE preferred_staff_id IS NOT NULL")
    # the old one-line columns, now that their data is in the parts
    op.drop_column('client', 'address')  # SQLite 3.35+ drops a column in place
    op.drop_column('client', 'emergency_contact')
    with op.batch_alter_table('client_pref', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_client_pref_preferred_staff_id_staff'), type_='foreignkey')
        batch_op.drop_column('preferred_staff_id')


_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")


def _location_zones(connection: sa.Connection) -> tuple[dict[int, str], str | None]:
    """Each location's IANA zone, and the first location's (for clients with no home location)."""
    rows = connection.execute(sa.text("SELECT id, timezone FROM location ORDER BY id")).all()
    zones = {location_id: zone for location_id, zone in rows}
    return zones, (rows[0][1] if rows else None)


def _emergency_phone(text: str, zone: str | None) -> str:
    """E.164 when the number reads as one with the location's country; else the digits as written."""
    from salon_cli.core.errors import InvalidInput
    from salon_cli.core.countries import country_for_zone
    from salon_cli.core.phones import to_e164

    try:
        return to_e164(text, region=country_for_zone(zone))
    except InvalidInput:
        return text[:20]


def _move_address_and_emergency_contact() -> None:
    """The one-line address goes to `street` (the parts after it stay empty until someone edits
    them); an emergency contact's phone (the run of digits in it) to `emergency_phone` (E.164 when
    it reads as a number of the client's location's country, else as written), and the rest to
    `emergency_name`."""
    connection = op.get_bind()
    client = sa.table("client", sa.column("id", sa.Integer), sa.column("address", sa.String),
                      sa.column("emergency_contact", sa.String), sa.column("street", sa.String),
                      sa.column("emergency_name", sa.String), sa.column("emergency_phone", sa.String),
                      sa.column("home_location_id", sa.Integer))
    rows = connection.execute(sa.select(
        client.c.id, client.c.address, client.c.emergency_contact, client.c.home_location_id).where(
        sa.or_(client.c.address.isnot(None), client.c.emergency_contact.isnot(None)))).all()
    zones, first_zone = _location_zones(connection) if rows else ({}, None)
    for client_id, address, contact, home_id in rows:
        values: dict[str, str | None] = {"street": " ".join((address or "").split())[:255] or None}
        text = (contact or "").strip()
        found = _PHONE.search(text)
        phone = found.group() if found else None
        name = (text[:found.start()] + text[found.end():]) if found else text
        values["emergency_name"] = " ".join(name.strip(" ,;:-/()").split())[:120] or None
        values["emergency_phone"] = _emergency_phone(phone, zones.get(home_id, first_zone)) if phone else None
        connection.execute(client.update().where(client.c.id == client_id).values(**values))


def _restore_one_line_columns() -> None:
    """Downgrade: the old columns back, filled from the parts (the address on one line, the emergency
    contact's name and phone, the first preferred stylist)."""
    op.add_column('client', sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    op.add_column('client', sa.Column('emergency_contact', sqlmodel.sql.sqltypes.AutoString(length=255),
                                      nullable=True))
    with op.batch_alter_table('client_pref', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_staff_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_client_pref_preferred_staff_id_staff'), 'staff',
                                    ['preferred_staff_id'], ['id'])
    connection = op.get_bind()
    parts = ("street", "city", "state", "postal_code", "country")
    client = sa.table("client", sa.column("id", sa.Integer), sa.column("address", sa.String),
                      sa.column("emergency_contact", sa.String), sa.column("emergency_name", sa.String),
                      sa.column("emergency_phone", sa.String), *(sa.column(p, sa.String) for p in parts))
    rows = connection.execute(sa.select(client).where(sa.or_(
        *(client.c[p].isnot(None) for p in (*parts, "emergency_name", "emergency_phone"))))).mappings().all()
    for row in rows:
        address = ", ".join(row[p] for p in parts if row[p])[:255] or None
        contact = " ".join(x for x in (row["emergency_name"], row["emergency_phone"]) if x)[:255] or None
        connection.execute(client.update().where(client.c.id == row["id"]).values(
            address=address, emergency_contact=contact))
    op.execute("UPDATE client_pref SET preferred_staff_id = (SELECT p.staff_id FROM client_preferred_staff p "
               "WHERE p.client_id = client_pref.client_id ORDER BY p.position LIMIT 1)")


def downgrade() -> None:
    _restore_one_line_columns()
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sale_line_promotion_id_promotion'), type_='foreignkey')
        batch_op.drop_column('promotion_id')
    for column in ('street', 'city', 'state', 'postal_code', 'country', 'phone2', 'email2', 'occupation',
                   'emergency_name', 'emergency_phone'):
        op.drop_column('client', column)  # the old one-line columns are back, filled from these
    op.drop_table('promotion_use')
    op.drop_table('promotion')
    op.drop_table('client_preferred_staff')
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
