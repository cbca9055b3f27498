"""Block storage: volumes (with metadata), snapshots, volume types (and the default
one), volume attachments, and instances' block device mappings.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
import datetime
import uuid

from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

DEFAULT_TYPE = '__DEFAULT__'


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True),
            sa.Column('deleted_at', sa.DateTime(), nullable=True),
            sa.Column('deleted', sa.Integer(), nullable=False)]


def _id():
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('uuid', sa.String(36), nullable=False)]


def _strings(*names, length=255):
    return [sa.Column(name, sa.String(length), nullable=True) for name in names]


def upgrade():
    op.create_table(
        'volumes', *_id(),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('pending_size', sa.Integer(), nullable=True),
        *_strings('display_name', 'display_description', 'project_id', 'user_id',
                  'availability_zone', 'host'),
        sa.Column('status', sa.String(255), nullable=False),
        *_strings('previous_status'),
        sa.Column('attach_status', sa.String(255), nullable=False),
        *_strings('volume_type_id', 'snapshot_id', 'source_volid', 'image_id', length=36),
        sa.Column('bootable', sa.Boolean(), nullable=False),
        sa.Column('multiattach', sa.Boolean(), nullable=False),
        *_strings('provider_location', 'provider_auth'),
        sa.Column('image_metadata', sa.Text(), nullable=True),
        sa.Column('scheduled_at', sa.DateTime(), nullable=True),
        sa.Column('launched_at', sa.DateTime(), nullable=True),
        sa.Column('terminated_at', sa.DateTime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='volumes_pkey'),
        sa.UniqueConstraint('uuid', name='uniq_volumes0uuid'),
    )
    op.create_index('volumes_project_id_deleted_idx', 'volumes', ['project_id', 'deleted'])
    op.create_index('volumes_host_deleted_idx', 'volumes', ['host', 'deleted'])
    op.create_index('volumes_status_idx', 'volumes', ['status'])

    op.create_table(
        'volume_metadata',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volume_id', sa.String(36), nullable=False),
        sa.Column('key', sa.String(255), nullable=False),
        sa.Column('value', sa.String(255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='volume_metadata_pkey'),
        sa.UniqueConstraint('volume_id', 'key', 'deleted',
                            name='uniq_volume_metadata0volume_id0key0deleted'),
    )

    op.create_table(
        'snapshots', *_id(),
        sa.Column('volume_id', sa.String(36), nullable=False),
        sa.Column('volume_size', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(255), nullable=False),
        *_strings('progress', 'display_name', 'display_description', 'project_id',
                  'user_id'),
        *_strings('volume_type_id', length=36),
        *_strings('provider_location'),
        sa.Column('metadata', sa.Text(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='snapshots_pkey'),
        sa.UniqueConstraint('uuid', name='uniq_snapshots0uuid'),
    )
    op.create_index('snapshots_project_id_deleted_idx', 'snapshots', ['project_id', 'deleted'])
    op.create_index('snapshots_volume_id_idx', 'snapshots', ['volume_id'])

    types = op.create_table(
        'volume_types', *_id(),
        sa.Column('name', sa.String(255), nullable=False),
        *_strings('description'),
        sa.Column('is_public', sa.Boolean(), nullable=False),
        sa.Column('extra_specs', sa.Text(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='volume_types_pkey'),
        sa.UniqueConstraint('uuid', name='uniq_volume_types0uuid'),
        sa.UniqueConstraint('name', 'deleted', name='uniq_volume_types0name0deleted'),
    )
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    op.bulk_insert(types, [{
        'uuid': str(uuid.uuid4()), 'name': DEFAULT_TYPE, 'description': 'Default Volume Type',
        'is_public': True, 'extra_specs': '{}', 'created_at': now, 'deleted': 0}])

    op.create_table(
        'volume_attachment', *_id(),
        sa.Column('volume_id', sa.String(36), nullable=False),
        *_strings('instance_uuid', length=36),
        *_strings('attached_host', 'mountpoint'),
        sa.Column('attach_mode', sa.String(36), nullable=False),
        sa.Column('attach_status', sa.String(255), nullable=False),
        sa.Column('connector', sa.Text(), nullable=True),
        sa.Column('connection_info', sa.Text(), nullable=True),
        sa.Column('attach_time', sa.DateTime(), nullable=True),
        sa.Column('detach_time', sa.DateTime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='volume_attachment_pkey'),
        sa.UniqueConstraint('uuid', name='uniq_volume_attachment0uuid'),
    )
    op.create_index('volume_attachment_volume_id_idx', 'volume_attachment', ['volume_id'])
    op.create_index('volume_attachment_instance_uuid_idx', 'volume_attachment',
                    ['instance_uuid'])

    op.create_table(
        'block_device_mapping', *_id(),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        *_strings('source_type', 'destination_type', 'guest_format', 'device_type',
                  'disk_bus'),
        sa.Column('boot_index', sa.Integer(), nullable=True),
        *_strings('device_name'),
        sa.Column('delete_on_termination', sa.Boolean(), nullable=False),
        *_strings('snapshot_id', 'volume_id', length=36),
        sa.Column('volume_size', sa.Integer(), nullable=True),
        *_strings('volume_type'),
        *_strings('image_id', length=36),
        sa.Column('no_device', sa.Boolean(), nullable=False),
        sa.Column('connection_info', sa.Text(), nullable=True),
        *_strings('attachment_id', length=36),
        *_strings('tag'),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='block_device_mapping_pkey'),
        sa.UniqueConstraint('uuid', name='uniq_block_device_mapping0uuid'),
    )
    op.create_index('block_device_mapping_instance_uuid_deleted_idx', 'block_device_mapping',
                    ['instance_uuid', 'deleted'])
    op.create_index('block_device_mapping_volume_id_idx', 'block_device_mapping',
                    ['volume_id'])
