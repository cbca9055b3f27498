"""nova-network: networks, fixed IPs, floating IPs, virtual interfaces.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True),
            sa.Column('deleted_at', sa.DateTime(), nullable=True),
            sa.Column('deleted', sa.Integer(), nullable=False)]


def _address(name, length=39):
    return sa.Column(name, sa.String(length), nullable=True)


def upgrade():
    op.create_table(
        'networks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('label', sa.String(255), nullable=True),
        sa.Column('cidr', sa.String(43), nullable=False),
        _address('cidr_v6', 43), _address('netmask'), _address('gateway'),
        _address('broadcast'), _address('gateway_v6'), _address('netmask_v6'),
        _address('dns1'), _address('dns2'), _address('dhcp_start'), _address('dhcp_server'),
        sa.Column('enable_dhcp', sa.Boolean(), nullable=False),
        sa.Column('bridge', sa.String(255), nullable=True),
        sa.Column('bridge_interface', sa.String(255), nullable=True),
        sa.Column('vlan', sa.Integer(), nullable=True),
        sa.Column('segment_type', sa.String(16), nullable=False),
        sa.Column('mtu', sa.Integer(), nullable=True),
        sa.Column('multi_host', sa.Boolean(), nullable=False),
        sa.Column('injected', sa.Boolean(), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=True),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='networks_pkey'),
        sa.UniqueConstraint('uuid', name='uniq_networks0uuid'),
        sa.UniqueConstraint('cidr', 'deleted', name='uniq_networks0cidr0deleted'),
        sa.UniqueConstraint('vlan', 'deleted', name='uniq_networks0vlan0deleted'),
    )
    op.create_index('networks_project_id_idx', 'networks', ['project_id'])
    op.create_table(
        'virtual_interfaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('address', sa.String(17), nullable=False),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='virtual_interfaces_pkey'),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id'],
                                name='virtual_interfaces_network_id_fkey'),
        sa.UniqueConstraint('address', 'deleted',
                            name='uniq_virtual_interfaces0address0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_virtual_interfaces0uuid'),
    )
    op.create_index('virtual_interfaces_instance_uuid_idx', 'virtual_interfaces',
                    ['instance_uuid'])
    op.create_index('virtual_interfaces_network_id_idx', 'virtual_interfaces', ['network_id'])
    op.create_table(
        'fixed_ips',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(39), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('instance_uuid', sa.String(36), nullable=True),
        sa.Column('virtual_interface_id', sa.Integer(), nullable=True),
        sa.Column('allocated', sa.Boolean(), nullable=False),
        sa.Column('leased', sa.Boolean(), nullable=False),
        sa.Column('reserved', sa.Boolean(), nullable=False),
        sa.Column('host', sa.String(255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='fixed_ips_pkey'),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id'],
                                name='fixed_ips_network_id_fkey'),
        sa.UniqueConstraint('address', 'deleted', name='uniq_fixed_ips0address0deleted'),
    )
    op.create_index('fixed_ips_network_id_free_idx', 'fixed_ips',
                    ['network_id', 'instance_uuid', 'reserved'])
    op.create_index('fixed_ips_instance_uuid_idx', 'fixed_ips', ['instance_uuid'])
    op.create_index('fixed_ips_virtual_interface_id_idx', 'fixed_ips', ['virtual_interface_id'])
    op.create_table(
        'floating_ips',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(39), nullable=False),
        sa.Column('pool', sa.String(255), nullable=False),
        sa.Column('interface', sa.String(255), nullable=True),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.Column('fixed_ip_id', sa.Integer(), nullable=True),
        sa.Column('auto_assigned', sa.Boolean(), nullable=False),
        sa.Column('host', sa.String(255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='floating_ips_pkey'),
        sa.UniqueConstraint('address', 'deleted', name='uniq_floating_ips0address0deleted'),
    )
    op.create_index('floating_ips_pool_project_idx', 'floating_ips', ['pool', 'project_id'])
    op.create_index('floating_ips_project_id_idx', 'floating_ips', ['project_id'])
    op.create_index('floating_ips_fixed_ip_id_idx', 'floating_ips', ['fixed_ip_id'])


def downgrade():
    for table in ('floating_ips', 'fixed_ips', 'virtual_interfaces', 'networks'):
        op.drop_table(table)
