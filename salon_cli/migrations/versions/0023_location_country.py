"""a location's country: the region its phone numbers are read in

Revision ID: 0023_location_country
Revises: 0022_benefits
Create Date: 2026-12-14

- `location.country` (ISO 3166-1 alpha-2, NULL when not known): phones typed without a country code
  take it (through phonenumbers). Until now the country came from a hand-made table of zones; the
  upgrade fills the column from each location's zone, where CLDR puts the zone in one country
  (`America/Mexico_City` -> MX); a zone of no country (`UTC`) leaves it NULL, and `salon location set
  --country` sets it. Nothing else changes: the phones already stored stay as they are (`salon db check
  --data` lists the ones that are not valid).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0023_location_country'
down_revision: Union[str, None] = '0022_benefits'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _fill_from_zones() -> None:
    from salon_cli.core.countries import country_for_zone

    location = sa.table("location", sa.column("id", sa.Integer()), sa.column("timezone", sa.String()),
                        sa.column("country", sa.String()))
    bind = op.get_bind()
    for row in bind.execute(sa.select(location.c.id, location.c.timezone)).all():
        country = country_for_zone(row.timezone)
        if country is not None:
            bind.execute(location.update().where(location.c.id == row.id).values(country=country))


def upgrade() -> None:
    # in place on both databases (no table copy on SQLite: the rows pointing at a location stay put)
    op.add_column('location', sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))
    _fill_from_zones()


def downgrade() -> None:
    op.drop_column('location', 'country')  # SQLite 3.35+ drops a column in place
