"""Initial schema: services and compute_nodes.

Revision ID: 0001
Revises:
Create Date: 2024-01-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
    ]


def upgrade():
    op.create_table(
        'services',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('binary', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255), nullable=True),
        sa.Column('report_count', sa.Integer(), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.String(255), nullable=True),
        sa.Column('forced_down', sa.Boolean(), nullable=False),
        sa.Column('availability_zone', sa.String(255), nullable=True),
        sa.Column('last_seen_up', sa.DateTime(), nullable=True),
        sa.Column('stopped_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='services_pkey'),
        sa.UniqueConstraint('host', 'binary', 'deleted',
                            name='uniq_services0host0binary0deleted'),
    )
    op.create_table(
        'compute_nodes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('hypervisor_hostname', sa.String(255), nullable=False),
        sa.Column('vcpus', sa.Integer(), nullable=False),
        sa.Column('memory_mb', sa.Integer(), nullable=False),
        sa.Column('local_gb', sa.Integer(), nullable=False),
        sa.Column('vcpus_used', sa.Integer(), nullable=False),
        sa.Column('memory_mb_used', sa.Integer(), nullable=False),
        sa.Column('local_gb_used', sa.Integer(), nullable=False),
        sa.Column('free_ram_mb', sa.Integer(), nullable=True),
        sa.Column('free_disk_gb', sa.Integer(), nullable=True),
        sa.Column('current_workload', sa.Integer(), nullable=True),
        sa.Column('running_vms', sa.Integer(), nullable=True),
        sa.Column('hypervisor_type', sa.String(255), nullable=True),
        sa.Column('hypervisor_version', sa.Integer(), nullable=True),
        sa.Column('cpu_info', sa.Text(), nullable=True),
        sa.Column('disk_available_least', sa.Integer(), nullable=True),
        sa.Column('cpu_allocation_ratio', sa.Float(), nullable=True),
        sa.Column('ram_allocation_ratio', sa.Float(), nullable=True),
        sa.Column('disk_allocation_ratio', sa.Float(), nullable=True),
        sa.Column('host_ip', sa.String(45), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='compute_nodes_pkey'),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'],
                                name='compute_nodes_service_id_fkey'),
        sa.UniqueConstraint('host', 'hypervisor_hostname', 'deleted',
                            name='uniq_compute_nodes0host0hypervisor_hostname0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_compute_nodes0uuid'),
    )
    op.create_index('compute_nodes_service_id_idx', 'compute_nodes', ['service_id'])
