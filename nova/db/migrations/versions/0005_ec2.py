"""EC2: id mappings, RunInstances client tokens, security groups and their rules.

Revision ID: 0005
Revises: 0004
Create Date: 2024-01-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _timestamps(soft_delete=True):
    columns = [sa.Column('created_at', sa.DateTime(), nullable=False),
               sa.Column('updated_at', sa.DateTime(), nullable=True)]
    if soft_delete:
        columns += [sa.Column('deleted_at', sa.DateTime(), nullable=True),
                    sa.Column('deleted', sa.Integer(), nullable=False)]
    return columns


def upgrade():
    op.create_table(
        'ec2_ids',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('uuid', sa.String(36), nullable=False),
        *_timestamps(soft_delete=False),
        sa.PrimaryKeyConstraint('id', name='ec2_ids_pkey'),
        sa.UniqueConstraint('kind', 'uuid', name='uniq_ec2_ids0kind0uuid'),
    )
    op.create_table(
        'ec2_client_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('client_token', sa.String(64), nullable=False),
        sa.Column('request_hash', sa.String(64), nullable=False),
        sa.Column('reservation_id', sa.String(255), nullable=True),
        *_timestamps(soft_delete=False),
        sa.PrimaryKeyConstraint('id', name='ec2_client_tokens_pkey'),
        sa.UniqueConstraint('project_id', 'client_token',
                            name='uniq_ec2_client_tokens0project_id0client_token'),
    )
    op.create_table(
        'security_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='security_groups_pkey'),
        sa.UniqueConstraint('uuid', name='uniq_security_groups0uuid'),
        sa.UniqueConstraint('project_id', 'name', 'deleted',
                            name='uniq_security_groups0project_id0name0deleted'),
    )
    op.create_table(
        'security_group_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('parent_group_id', sa.Integer(), nullable=False),
        sa.Column('protocol', sa.String(16), nullable=False),
        sa.Column('from_port', sa.Integer(), nullable=False),
        sa.Column('to_port', sa.Integer(), nullable=False),
        sa.Column('cidr', sa.String(43), nullable=False),
        sa.Column('source_group_uuid', sa.String(36), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='security_group_rules_pkey'),
        sa.ForeignKeyConstraint(['parent_group_id'], ['security_groups.id'],
                                name='security_group_rules_parent_group_id_fkey'),
        sa.UniqueConstraint('parent_group_id', 'protocol', 'from_port', 'to_port', 'cidr',
                            'source_group_uuid', 'deleted',
                            name='uniq_security_group_rules0rule0deleted'),
    )
    op.create_index('security_group_rules_parent_group_id_idx', 'security_group_rules',
                    ['parent_group_id'])
    op.create_index('security_group_rules_source_group_uuid_idx', 'security_group_rules',
                    ['source_group_uuid'])

