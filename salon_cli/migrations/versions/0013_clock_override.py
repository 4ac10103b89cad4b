"""clock override: the owner's switch for SALON_NOW, and the audit log's real and business instants

Revision ID: 0013_clock_override
Revises: 0012_desk_rules
Create Date: 2026-12-06

`policy.allow_clock_override`: commands that change data honour SALON_NOW only where the owner turned
it on (`salon init --allow-clock-override`, `salon policy set --allow-clock-override`). Policies already
there get it off, the secure default; the server default that fills them is dropped again, as the
model has none. `audit_log.business_at` keeps the instant a change was made for when a clock override
set one other than the machine's (`at`); `audit_log.run_by` and `job_run.run_by` name who ran a cron
job that acts as `system`. Rows already there have neither.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import salon_cli.db.types


revision: str = '0013_clock_override'
down_revision: Union[str, None] = '0012_desk_rules'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_clock_override', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.alter_column('allow_clock_override', server_default=None)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_at', salon_cli.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('run_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_column('run_by')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('run_by')
        batch_op.drop_column('business_at')
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_column('allow_clock_override')
