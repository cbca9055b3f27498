"""Compute tables: flavors, instances and what hangs off them, key pairs,
quotas, aggregates, server groups, migrations; the default flavors.

Revision ID: 0002
Revises: 0001
Create Date: 2024-01-02
"""
import datetime

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

DEFAULT_FLAVORS = [
    # name, flavorid, memory_mb, vcpus, root_gb
    ('m1.tiny', '1', 512, 1, 1),
    ('m1.small', '2', 2048, 1, 20),
    ('m1.medium', '3', 4096, 2, 40),
    ('m1.large', '4', 8192, 4, 80),
    ('m1.xlarge', '5', 16384, 8, 160),
]


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
    ]


def _soft_delete():
    return _timestamps() + [
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
    ]


def _id(table):
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('id', name='%s_pkey' % table)]


def _str(name, length=255, nullable=True):
    return sa.Column(name, sa.String(length), nullable=nullable)


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [target], name='%s_%s_fkey' % (table, column))


def _flavors():
    flavors = op.create_table(
        'instance_types', *_id('instance_types'),
        _str('flavorid', nullable=False),
        _str('name', nullable=False),
        sa.Column('memory_mb', sa.Integer(), nullable=False),
        sa.Column('vcpus', sa.Integer(), nullable=False),
        sa.Column('root_gb', sa.Integer(), nullable=False),
        sa.Column('ephemeral_gb', sa.Integer(), nullable=False),
        sa.Column('swap', sa.Integer(), nullable=False),
        sa.Column('rxtx_factor', sa.Float(), nullable=False),
        sa.Column('vcpu_weight', sa.Integer(), nullable=True),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('is_public', sa.Boolean(), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        *_soft_delete(),
        sa.UniqueConstraint('flavorid', 'deleted', name='uniq_instance_types0flavorid0deleted'),
        sa.UniqueConstraint('name', 'deleted', name='uniq_instance_types0name0deleted'),
    )
    op.create_table(
        'instance_type_extra_specs', *_id('instance_type_extra_specs'),
        sa.Column('instance_type_id', sa.Integer(), nullable=False),
        _str('key', nullable=False),
        _str('value'),
        *_soft_delete(),
        _fk('instance_type_extra_specs', 'instance_type_id', 'instance_types.id'),
        sa.UniqueConstraint('instance_type_id', 'key', 'deleted',
                            name='uniq_instance_type_extra_specs0instance_type_id0key0deleted'),
    )
    op.create_table(
        'instance_type_projects', *_id('instance_type_projects'),
        sa.Column('instance_type_id', sa.Integer(), nullable=False),
        _str('project_id', nullable=False),
        *_soft_delete(),
        _fk('instance_type_projects', 'instance_type_id', 'instance_types.id'),
        sa.UniqueConstraint(
            'instance_type_id', 'project_id', 'deleted',
            name='uniq_instance_type_projects0instance_type_id0project_id0deleted'),
    )
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    op.bulk_insert(flavors, [
        dict(name=name, flavorid=flavorid, memory_mb=memory_mb, vcpus=vcpus, root_gb=root_gb,
             ephemeral_gb=0, swap=0, rxtx_factor=1.0, disabled=False, is_public=True,
             created_at=now, deleted=0)
        for name, flavorid, memory_mb, vcpus, root_gb in DEFAULT_FLAVORS])


def _instances():
    op.create_table(
        'instances', *_id('instances'),
        _str('uuid', 36, nullable=False),
        _str('display_name'), _str('display_description'), _str('hostname'),
        _str('project_id'), _str('user_id'), _str('reservation_id'),
        sa.Column('launch_index', sa.Integer(), nullable=True),
        _str('image_ref'), _str('kernel_id'), _str('ramdisk_id'),
        sa.Column('instance_type_id', sa.Integer(), nullable=True),
        sa.Column('flavor', sa.Text(), nullable=True),
        sa.Column('vcpus', sa.Integer(), nullable=True),
        sa.Column('memory_mb', sa.Integer(), nullable=True),
        sa.Column('root_gb', sa.Integer(), nullable=True),
        sa.Column('ephemeral_gb', sa.Integer(), nullable=True),
        _str('vm_state'), _str('task_state'),
        sa.Column('power_state', sa.Integer(), nullable=True),
        _str('host'), _str('node'), _str('launched_on'), _str('availability_zone'),
        _str('key_name'),
        sa.Column('key_data', sa.Text(), nullable=True),
        sa.Column('user_data', sa.Text(), nullable=True),
        _str('config_drive'),
        sa.Column('launched_at', sa.DateTime(), nullable=True),
        sa.Column('terminated_at', sa.DateTime(), nullable=True),
        sa.Column('scheduled_at', sa.DateTime(), nullable=True),
        sa.Column('locked', sa.Boolean(), nullable=False),
        _str('locked_by'),
        _str('access_ip_v4', 45), _str('access_ip_v6', 45),
        sa.Column('progress', sa.Integer(), nullable=True),
        _str('os_type'), _str('architecture'), _str('vm_mode'), _str('root_device_name'),
        sa.Column('system_metadata', sa.Text(), nullable=True),
        sa.Column('security_groups', sa.Text(), nullable=True),
        sa.Column('cleaned', sa.Integer(), nullable=False),
        sa.Column('shutdown_terminate', sa.Boolean(), nullable=False),
        sa.Column('disable_terminate', sa.Boolean(), nullable=False),
        sa.Column('auto_disk_config', sa.Boolean(), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        *_soft_delete(),
        sa.UniqueConstraint('uuid', name='uniq_instances0uuid'),
    )
    for name, columns in [('project_id_deleted', ['project_id', 'deleted']),
                          ('host_deleted', ['host', 'deleted']),
                          ('reservation_id', ['reservation_id']),
                          ('updated_at', ['updated_at']),
                          ('vm_state', ['vm_state']),
                          ('task_state', ['task_state'])]:
        op.create_index('instances_%s_idx' % name, 'instances', columns)
    op.create_table(
        'instance_metadata', *_id('instance_metadata'),
        _str('instance_uuid', 36, nullable=False),
        _str('key', nullable=False),
        _str('value'),
        *_soft_delete(),
        sa.UniqueConstraint('instance_uuid', 'key', 'deleted',
                            name='uniq_instance_metadata0instance_uuid0key0deleted'),
    )
    op.create_table(
        'instance_faults', *_id('instance_faults'),
        _str('instance_uuid', 36, nullable=False),
        sa.Column('code', sa.Integer(), nullable=False),
        _str('message'),
        sa.Column('details', sa.Text(), nullable=True),
        _str('host'),
        *_timestamps(),
    )
    op.create_index('instance_faults_instance_uuid_idx', 'instance_faults', ['instance_uuid'])
    op.create_table(
        'tags',
        _str('resource_id', 36, nullable=False),
        _str('tag', 60, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('resource_id', 'tag', name='tags_pkey'),
    )


def _actions():
    op.create_table(
        'instance_actions', *_id('instance_actions'),
        _str('action'),
        _str('instance_uuid', 36, nullable=False),
        _str('request_id'), _str('user_id'), _str('project_id'),
        sa.Column('start_time', sa.DateTime(), nullable=True),
        sa.Column('finish_time', sa.DateTime(), nullable=True),
        _str('message'),
        *_timestamps(),
    )
    op.create_index('instance_actions_instance_uuid_idx', 'instance_actions',
                    ['instance_uuid'])
    op.create_table(
        'instance_actions_events', *_id('instance_actions_events'),
        sa.Column('action_id', sa.Integer(), nullable=False),
        _str('event'),
        sa.Column('start_time', sa.DateTime(), nullable=True),
        sa.Column('finish_time', sa.DateTime(), nullable=True),
        _str('result'),
        sa.Column('traceback', sa.Text(), nullable=True),
        _str('host'),
        sa.Column('details', sa.Text(), nullable=True),
        *_timestamps(),
        _fk('instance_actions_events', 'action_id', 'instance_actions.id'),
    )
    op.create_index('instance_actions_events_action_id_idx', 'instance_actions_events',
                    ['action_id'])


def _key_pairs_and_quotas():
    op.create_table(
        'key_pairs', *_id('key_pairs'),
        _str('name', nullable=False),
        _str('user_id', nullable=False),
        _str('fingerprint'),
        sa.Column('public_key', sa.Text(), nullable=True),
        _str('type', nullable=False),
        *_soft_delete(),
        sa.UniqueConstraint('user_id', 'name', 'deleted',
                            name='uniq_key_pairs0user_id0name0deleted'),
    )
    op.create_table(
        'quotas', *_id('quotas'),
        _str('project_id', nullable=False),
        _str('resource', nullable=False),
        sa.Column('hard_limit', sa.Integer(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint('project_id', 'resource', name='uniq_quotas0project_id0resource'),
    )
    op.create_table(
        'quota_usages', *_id('quota_usages'),
        _str('project_id', nullable=False),
        _str('user_id'),
        _str('resource', nullable=False),
        sa.Column('in_use', sa.Integer(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint('project_id', 'user_id', 'resource',
                            name='uniq_quota_usages0project_id0user_id0resource'),
    )
    # NULLs are distinct in the constraint above: project-wide rows need their own
    if op.get_bind().dialect.name in ('sqlite', 'postgresql'):
        op.create_index('uniq_quota_usages0project_id0resource', 'quota_usages',
                        ['project_id', 'resource'], unique=True,
                        sqlite_where=sa.text('user_id IS NULL'),
                        postgresql_where=sa.text('user_id IS NULL'))


def _aggregates_and_groups():
    op.create_table(
        'aggregates', *_id('aggregates'),
        _str('uuid', 36, nullable=False),
        _str('name', nullable=False),
        *_soft_delete(),
        sa.UniqueConstraint('uuid', name='uniq_aggregates0uuid'),
        sa.UniqueConstraint('name', 'deleted', name='uniq_aggregates0name0deleted'),
    )
    op.create_table(
        'aggregate_hosts', *_id('aggregate_hosts'),
        sa.Column('aggregate_id', sa.Integer(), nullable=False),
        _str('host', nullable=False),
        *_soft_delete(),
        _fk('aggregate_hosts', 'aggregate_id', 'aggregates.id'),
        sa.UniqueConstraint('host', 'aggregate_id', 'deleted',
                            name='uniq_aggregate_hosts0host0aggregate_id0deleted'),
    )
    op.create_index('aggregate_hosts_aggregate_id_idx', 'aggregate_hosts', ['aggregate_id'])
    op.create_table(
        'aggregate_metadata', *_id('aggregate_metadata'),
        sa.Column('aggregate_id', sa.Integer(), nullable=False),
        _str('key', nullable=False),
        _str('value'),
        *_soft_delete(),
        _fk('aggregate_metadata', 'aggregate_id', 'aggregates.id'),
        sa.UniqueConstraint('aggregate_id', 'key', 'deleted',
                            name='uniq_aggregate_metadata0aggregate_id0key0deleted'),
    )
    op.create_table(
        'instance_groups', *_id('instance_groups'),
        _str('uuid', 36, nullable=False),
        _str('name'), _str('project_id'), _str('user_id'), _str('policy'),
        sa.Column('rules', sa.Text(), nullable=True),
        *_soft_delete(),
        sa.UniqueConstraint('uuid', name='uniq_instance_groups0uuid'),
    )
    op.create_table(
        'instance_group_member', *_id('instance_group_member'),
        sa.Column('group_id', sa.Integer(), nullable=False),
        _str('instance_uuid', 36, nullable=False),
        *_soft_delete(),
        _fk('instance_group_member', 'group_id', 'instance_groups.id'),
    )
    op.create_index('instance_group_member_group_id_idx', 'instance_group_member',
                    ['group_id'])
    op.create_index('instance_group_member_instance_uuid_idx', 'instance_group_member',
                    ['instance_uuid'])


def _migrations():
    op.create_table(
        'migrations', *_id('migrations'),
        _str('uuid', 36, nullable=False),
        _str('instance_uuid', 36),
        _str('source_compute'), _str('dest_compute'), _str('source_node'), _str('dest_node'),
        _str('dest_host'),
        sa.Column('old_instance_type_id', sa.Integer(), nullable=True),
        sa.Column('new_instance_type_id', sa.Integer(), nullable=True),
        _str('status'), _str('migration_type'),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        *_soft_delete(),
        sa.UniqueConstraint('uuid', name='uniq_migrations0uuid'),
    )
    op.create_index('migrations_instance_uuid_idx', 'migrations', ['instance_uuid'])


def upgrade():
    _flavors()
    _instances()
    _actions()
    _key_pairs_and_quotas()
    _aggregates_and_groups()
    _migrations()
