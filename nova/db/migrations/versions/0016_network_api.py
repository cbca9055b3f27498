"""The network API (Neutron-compatible) over nova-network's tables.

- virtual_interfaces become ports: a project, a name and description, the
  owner of the device, whether the port outlives its instance (a port the user
  made) and its security groups while unbound; instance_uuid is NULL while a
  port is unbound. project_id is filled in from the instances of existing rows.
- floating_ips get a uuid (given at allocation) and a description.
- networks get a description and their subnet's name, and their uuid is unique
  among live rows (a network keeps its id while pending); pending_networks keeps the networks made
  through the network API that have no subnet yet (a network row needs its
  CIDR).
- revision_number (0, +1 on every update) on networks, virtual_interfaces,
  floating_ips and security_groups.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _revision():
    return sa.Column('revision_number', sa.Integer(), nullable=False, server_default='0')


def upgrade():
    with op.batch_alter_table('virtual_interfaces') as batch:
        batch.alter_column('instance_uuid', existing_type=sa.String(36), nullable=True)
        batch.add_column(sa.Column('project_id', sa.String(255), nullable=True))
        batch.add_column(sa.Column('name', sa.String(255), nullable=False, server_default=''))
        batch.add_column(sa.Column('description', sa.String(255), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('device_owner', sa.String(255), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('preserve_on_delete', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('security_groups', sa.Text(), nullable=True))
        batch.add_column(_revision())
        batch.create_index('virtual_interfaces_project_id_idx', ['project_id'])
    op.execute("UPDATE virtual_interfaces SET project_id = (SELECT instances.project_id "
               "FROM instances WHERE instances.uuid = virtual_interfaces.instance_uuid), "
               "device_owner = 'compute:nova'")
    with op.batch_alter_table('floating_ips') as batch:
        batch.add_column(sa.Column('uuid', sa.String(36), nullable=True))
        batch.add_column(sa.Column('description', sa.String(255), nullable=False,
                                   server_default=''))
        batch.add_column(_revision())
        batch.create_unique_constraint('uniq_floating_ips0uuid', ['uuid'])
    with op.batch_alter_table('networks') as batch:
        # a network keeps its id through subnet deletes and re-creations (it is pending
        # meanwhile): the uuid is unique among live rows, as the other keys
        batch.drop_constraint('uniq_networks0uuid', type_='unique')
        batch.create_unique_constraint('uniq_networks0uuid0deleted', ['uuid', 'deleted'])
        batch.add_column(sa.Column('description', sa.String(255), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('subnet_name', sa.String(255), nullable=False,
                                   server_default=''))
        batch.add_column(_revision())
    with op.batch_alter_table('security_groups') as batch:
        batch.add_column(_revision())
    op.create_table(
        'pending_networks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('mtu', sa.Integer(), nullable=True),
        _revision(),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pending_networks_pkey'),
        sa.UniqueConstraint('uuid', 'deleted', name='uniq_pending_networks0uuid0deleted'),
    )
    op.create_index('pending_networks_project_id_idx', 'pending_networks', ['project_id'])


def downgrade():
    op.drop_table('pending_networks')
    with op.batch_alter_table('security_groups') as batch:
        batch.drop_column('revision_number')
    with op.batch_alter_table('networks') as batch:
        batch.drop_column('revision_number')
        batch.drop_column('subnet_name')
        batch.drop_column('description')
        batch.drop_constraint('uniq_networks0uuid0deleted', type_='unique')
        batch.create_unique_constraint('uniq_networks0uuid', ['uuid'])
    with op.batch_alter_table('floating_ips') as batch:
        batch.drop_constraint('uniq_floating_ips0uuid', type_='unique')
        batch.drop_column('revision_number')
        batch.drop_column('description')
        batch.drop_column('uuid')
    op.execute('DELETE FROM virtual_interfaces WHERE instance_uuid IS NULL')
    with op.batch_alter_table('virtual_interfaces') as batch:
        batch.drop_index('virtual_interfaces_project_id_idx')
        for column in ('revision_number', 'security_groups', 'preserve_on_delete',
                       'device_owner', 'description', 'name', 'project_id'):
            batch.drop_column(column)
        batch.alter_column('instance_uuid', existing_type=sa.String(36), nullable=False)
