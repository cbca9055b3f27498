"""Per-user quotas: limits a project gives one of its users (project_user_quotas),
and usage counted per user in quota_usages (rows with the user's id beside the
project-wide ones), started from each user's live instances and server groups.
And instance_build_passwords: the adminPass of a boot until its guest is
spawned, so that a boot the scheduler reconciler sends again still has it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
import datetime

from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_COUNTS = {
    'instances': 'SELECT project_id, user_id, COUNT(*) FROM instances',
    'cores': 'SELECT project_id, user_id, COALESCE(SUM(vcpus), 0) FROM instances',
    'ram': 'SELECT project_id, user_id, COALESCE(SUM(memory_mb), 0) FROM instances',
    'server_groups': 'SELECT project_id, user_id, COUNT(*) FROM instance_groups',
}


def upgrade():
    op.create_table(
        'project_user_quotas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=False),
        sa.Column('resource', sa.String(255), nullable=False),
        sa.Column('hard_limit', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name='project_user_quotas_pkey'),
        sa.UniqueConstraint('project_id', 'user_id', 'resource',
                            name='uniq_project_user_quotas0project_id0user_id0resource'),
    )
    op.create_table(
        'instance_build_passwords',
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('password', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('instance_uuid', name='instance_build_passwords_pkey'),
    )
    conn = op.get_bind()
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for resource, select in _COUNTS.items():
        rows = conn.execute(sa.text(
            select + ' WHERE deleted = 0 AND project_id IS NOT NULL AND user_id IS NOT NULL '
            'GROUP BY project_id, user_id')).all()
        for project_id, user_id, in_use in rows:
            params = {'project_id': project_id, 'user_id': user_id, 'resource': resource,
                      'in_use': int(in_use), 'now': now}
            updated = conn.execute(sa.text(
                'UPDATE quota_usages SET in_use = :in_use, updated_at = :now '
                'WHERE project_id = :project_id AND user_id = :user_id '
                'AND resource = :resource'), params)
            if updated.rowcount == 0:
                conn.execute(sa.text(
                    'INSERT INTO quota_usages (project_id, user_id, resource, in_use, '
                    'created_at) VALUES (:project_id, :user_id, :resource, :in_use, :now)'),
                    params)
