"""Identity administration: users get a description; the roles manager and
service join admin, member and reader (admin implies manager, manager member).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""
import datetime
import uuid

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NEW_ROLES = ('manager', 'service')


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('description', sa.Text(), nullable=True))
    conn = op.get_bind()
    have = {name for (name,) in conn.execute(sa.text('SELECT name FROM roles'))}
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for name in NEW_ROLES:
        if name not in have:
            conn.execute(sa.text('INSERT INTO roles (id, name, created_at) '
                                 'VALUES (:id, :name, :now)'),
                         {'id': uuid.uuid4().hex, 'name': name, 'now': now})

