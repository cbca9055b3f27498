"""Identity: users, projects, roles and their assignments, EC2 credentials, tokens;
the roles admin, member and reader.

Revision ID: 0004
Revises: 0003
Create Date: 2024-01-04
"""
import datetime
import uuid

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

DEFAULT_ROLES = ('admin', 'member', 'reader')


def _id(name='id'):
    return sa.Column(name, sa.String(32), nullable=False)


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
    ]


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], ['%s.id' % target],
                                   name='%s_%s_fkey' % (table, column))


def upgrade():
    op.create_table(
        'users',
        _id(),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('password_hash', sa.String(255), nullable=True),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('email', sa.String(255), nullable=True),
        sa.Column('default_project_id', sa.String(32), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='users_pkey'),
        sa.UniqueConstraint('name', name='uniq_users0name'),
    )
    op.create_table(
        'projects',
        _id(),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('domain_id', sa.String(64), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='projects_pkey'),
        sa.UniqueConstraint('name', name='uniq_projects0name'),
    )
    roles = op.create_table(
        'roles',
        _id(),
        sa.Column('name', sa.String(255), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='roles_pkey'),
        sa.UniqueConstraint('name', name='uniq_roles0name'),
    )
    op.create_table(
        'user_project_roles',
        sa.Column('id', sa.Integer(), nullable=False),
        _id('user_id'), _id('project_id'), _id('role_id'),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='user_project_roles_pkey'),
        _fk('user_project_roles', 'user_id', 'users'),
        _fk('user_project_roles', 'project_id', 'projects'),
        _fk('user_project_roles', 'role_id', 'roles'),
        sa.UniqueConstraint('user_id', 'project_id', 'role_id',
                            name='uniq_user_project_roles0user_id0project_id0role_id'),
    )
    op.create_index('user_project_roles_project_id_idx', 'user_project_roles', ['project_id'])
    op.create_table(
        'ec2_credentials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('access', sa.String(20), nullable=False),
        sa.Column('secret', sa.String(40), nullable=False),
        _id('user_id'), _id('project_id'),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='ec2_credentials_pkey'),
        _fk('ec2_credentials', 'user_id', 'users'),
        _fk('ec2_credentials', 'project_id', 'projects'),
        sa.UniqueConstraint('access', name='uniq_ec2_credentials0access'),
    )
    for column in ('user_id', 'project_id'):
        op.create_index('ec2_credentials_%s_idx' % column, 'ec2_credentials', [column])
    op.create_table(
        'tokens',
        sa.Column('id', sa.String(64), nullable=False),
        _id('user_id'),
        sa.Column('project_id', sa.String(32), nullable=True),
        sa.Column('roles', sa.Text(), nullable=False),
        sa.Column('methods', sa.String(255), nullable=False),
        sa.Column('audit_id', sa.String(32), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='tokens_pkey'),
        _fk('tokens', 'user_id', 'users'),
        _fk('tokens', 'project_id', 'projects'),
    )
    for column in ('user_id', 'project_id', 'expires_at'):
        op.create_index('tokens_%s_idx' % column, 'tokens', [column])

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    op.bulk_insert(roles, [{'id': uuid.uuid4().hex, 'name': name, 'created_at': now}
                           for name in DEFAULT_ROLES])

