"""Metadata definitions (Glance's metadefs): namespaces, their definitions, resource types.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def upgrade():
    op.create_table(
        'metadef_namespaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('namespace', sa.String(80), nullable=False),
        sa.Column('display_name', sa.String(80), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('visibility', sa.String(32), nullable=False),
        sa.Column('protected', sa.Boolean(), nullable=False),
        sa.Column('owner', sa.String(255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='metadef_namespaces_pkey'),
        sa.UniqueConstraint('namespace', name='uniq_metadef_namespaces0namespace'),
    )
    op.create_index('metadef_namespaces_owner_idx', 'metadef_namespaces', ['owner'])
    op.create_table(
        'metadef_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('namespace_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='metadef_items_pkey'),
        sa.ForeignKeyConstraint(['namespace_id'], ['metadef_namespaces.id'],
                                name='metadef_items_namespace_id_fkey'),
        sa.UniqueConstraint('namespace_id', 'kind', 'name',
                            name='uniq_metadef_items0namespace_id0kind0name'),
    )
    op.create_table(
        'metadef_resource_types',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(80), nullable=False),
        sa.Column('protected', sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='metadef_resource_types_pkey'),
        sa.UniqueConstraint('name', name='uniq_metadef_resource_types0name'),
    )
    op.create_table(
        'metadef_associations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('namespace_id', sa.Integer(), nullable=False),
        sa.Column('resource_type_id', sa.Integer(), nullable=False),
        sa.Column('prefix', sa.String(80), nullable=True),
        sa.Column('properties_target', sa.String(80), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='metadef_associations_pkey'),
        sa.ForeignKeyConstraint(['namespace_id'], ['metadef_namespaces.id'],
                                name='metadef_associations_namespace_id_fkey'),
        sa.ForeignKeyConstraint(
            ['resource_type_id'], ['metadef_resource_types.id'],
            name='metadef_associations_resource_type_id_fkey'),
        sa.UniqueConstraint(
            'namespace_id', 'resource_type_id',
            name='uniq_metadef_associations0namespace_id0resource_type_id'),
    )


def downgrade():
    for table in ('metadef_associations', 'metadef_resource_types',
                  'metadef_items', 'metadef_namespaces'):
        op.drop_table(table)
