"""Image registry: images, properties, tags, members, locations.

Revision ID: 0003
Revises: 0002
Create Date: 2024-01-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
    ]


def _child(table, *columns, unique=None):
    """A table of rows belonging to one image."""
    constraints = [
        sa.PrimaryKeyConstraint('id', name='%s_pkey' % table),
        sa.ForeignKeyConstraint(['image_id'], ['images.id'], name='%s_image_id_fkey' % table),
    ]
    if unique:
        constraints.append(sa.UniqueConstraint(
            *unique, name='uniq_%s0%s' % (table, '0'.join(unique))))
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('image_id', sa.String(36), nullable=False),
        *columns,
        *_timestamps(),
        *constraints,
    )


def upgrade():
    op.create_table(
        'images',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=True),
        sa.Column('status', sa.String(30), nullable=False),
        sa.Column('visibility', sa.String(20), nullable=False),
        sa.Column('protected', sa.Boolean(), nullable=False),
        sa.Column('os_hidden', sa.Boolean(), nullable=False),
        sa.Column('owner', sa.String(255), nullable=True),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('virtual_size', sa.BigInteger(), nullable=True),
        sa.Column('disk_format', sa.String(20), nullable=True),
        sa.Column('container_format', sa.String(20), nullable=True),
        sa.Column('checksum', sa.String(32), nullable=True),
        sa.Column('os_hash_algo', sa.String(64), nullable=True),
        sa.Column('os_hash_value', sa.String(128), nullable=True),
        sa.Column('min_disk', sa.Integer(), nullable=False),
        sa.Column('min_ram', sa.Integer(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='images_pkey'),
    )
    for column in ('visibility', 'owner', 'checksum', 'os_hash_value'):
        op.create_index('images_%s_idx' % column, 'images', [column])

    _child('image_properties',
           sa.Column('name', sa.String(255), nullable=False),
           sa.Column('value', sa.Text(), nullable=True),
           unique=('image_id', 'name', 'deleted'))
    _child('image_tags',
           sa.Column('value', sa.String(255), nullable=False),
           unique=('image_id', 'value', 'deleted'))
    _child('image_members',
           sa.Column('member', sa.String(255), nullable=False),
           sa.Column('can_share', sa.Boolean(), nullable=False),
           sa.Column('status', sa.String(20), nullable=False),
           unique=('image_id', 'member', 'deleted'))
    op.create_index('image_members_member_idx', 'image_members', ['member'])
    _child('image_locations',
           sa.Column('value', sa.Text(), nullable=False),
           sa.Column('meta_data', sa.JSON(), nullable=False),
           sa.Column('status', sa.String(30), nullable=False))
    op.create_index('image_locations_image_id_idx', 'image_locations', ['image_id'])
