"""Server groups count against their project's quota through quota_usages, as
instances do: the usage rows start from the live groups of each project.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import datetime

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

RESOURCE = 'server_groups'


def upgrade():
    conn = op.get_bind()
    counts = conn.execute(sa.text(
        'SELECT project_id, COUNT(*) FROM instance_groups '
        'WHERE deleted = 0 AND project_id IS NOT NULL GROUP BY project_id')).all()
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for project_id, count in counts:
        params = {'project_id': project_id, 'resource': RESOURCE, 'in_use': count, 'now': now}
        updated = conn.execute(sa.text(
            'UPDATE quota_usages SET in_use = :in_use, updated_at = :now '
            'WHERE project_id = :project_id AND user_id IS NULL AND resource = :resource'),
            params)
        if updated.rowcount == 0:
            conn.execute(sa.text(
                'INSERT INTO quota_usages (project_id, user_id, resource, in_use, created_at) '
                'VALUES (:project_id, NULL, :resource, :in_use, :now)'), params)

