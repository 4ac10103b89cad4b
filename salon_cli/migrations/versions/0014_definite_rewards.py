"""definite rewards: a free service names its service or category; the stamp card's reward is a reward

Revision ID: 0014_definite_rewards
Revises: 0013_clock_override
Create Date: 2026-12-06

A `free_service` reward with no service paid for anything on the ticket (a 2,800.00 balayage for "a
free blow-dry"). Rewards and codes gain `category`; a reward may cost 0 points (a stamp card's, which
points do not buy); the program's free-text `stamps_reward` becomes `stamps_reward_id`, a reward of the
catalog. Each program's text is carried into a new reward of that name, bound to the one service (or
else the one category) whose name the text contains; with no single match it is bound to nothing, and
its codes are refused at checkout until a manager names its service (`loyalty rewards set ID
--service S`). Stamp codes already issued follow their new reward.
"""
from typing import Sequence, Union
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0014_definite_rewards'
down_revision: Union[str, None] = '0013_clock_override'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _match(text: str, names: list[tuple[object, str]]) -> object | None:
    """The one key whose name the text contains (the longest name wins a tie of containment)."""
    low = text.lower()
    hits = [(len(name), key) for key, name in names if name and name.lower() in low]
    if not hits:
        return None
    hits.sort(key=lambda hit: -hit[0])
    return hits[0][1] if len(hits) == 1 or hits[0][0] > hits[1][0] else None


def upgrade() -> None:
    with op.batch_alter_table('reward', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.drop_constraint(op.f('ck_reward_cost_positive'), type_='check')
        batch_op.create_check_constraint('cost_positive', 'points_cost >= 0')
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    with op.batch_alter_table('loyalty_program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamps_reward_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_loyalty_program_stamps_reward_id_reward'), 'reward',
                                    ['stamps_reward_id'], ['id'])

    conn = op.get_bind()
    program = conn.execute(sa.text("SELECT id, stamps_reward FROM loyalty_program")).first()
    if program is not None and (program[1] or '').strip():
        text = program[1].strip()
        services = [(row[0], row[1]) for row in conn.execute(sa.text(
            "SELECT id, name FROM service WHERE active ORDER BY id"))]
        categories = sorted({row[0] for row in conn.execute(sa.text(
            "SELECT DISTINCT category FROM service WHERE category IS NOT NULL"))})
        service_id = _match(text, services)
        category = None if service_id is not None else _match(text, [(c, c) for c in categories])
        now = datetime.now(timezone.utc)
        conn.execute(sa.text(
            "INSERT INTO reward (name, kind, value, service_id, category, points_cost, active, created_at) "
            "VALUES (:name, 'free_service', 0, :service_id, :category, 0, :active, :now)"),
            dict(name=text[:120], service_id=service_id, category=category, active=True, now=now))
        reward_id = conn.execute(sa.text("SELECT MAX(id) FROM reward")).scalar()
        conn.execute(sa.text("UPDATE loyalty_program SET stamps_reward_id = :rid"), dict(rid=reward_id))
        conn.execute(sa.text(
            "UPDATE redemption SET reward_id = :rid, service_id = COALESCE(service_id, :service_id), "
            "category = COALESCE(category, :category) WHERE reward_id IS NULL AND kind = 'free_service'"),
            dict(rid=reward_id, service_id=service_id, category=category))

    with op.batch_alter_table('loyalty_program', schema=None) as batch_op:
        batch_op.drop_column('stamps_reward')


def downgrade() -> None:
    with op.batch_alter_table('loyalty_program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamps_reward', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False,
                                      server_default='A free service of your choice'))
    op.execute("UPDATE loyalty_program SET stamps_reward = (SELECT name FROM reward "
               "WHERE reward.id = loyalty_program.stamps_reward_id) WHERE stamps_reward_id IS NOT NULL")
    with op.batch_alter_table('loyalty_program', schema=None) as batch_op:
        batch_op.alter_column('stamps_reward', server_default=None)
        batch_op.drop_constraint(batch_op.f('fk_loyalty_program_stamps_reward_id_reward'), type_='foreignkey')
        batch_op.drop_column('stamps_reward_id')
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.drop_column('category')
    op.execute("UPDATE reward SET points_cost = 1 WHERE points_cost = 0")
    with op.batch_alter_table('reward', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reward_cost_positive'), type_='check')
        batch_op.create_check_constraint('cost_positive', 'points_cost > 0')
        batch_op.drop_column('category')
