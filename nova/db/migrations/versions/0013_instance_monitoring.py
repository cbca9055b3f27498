"""instances.monitoring: whether the instance monitor samples the instance (EC2
MonitorInstances / UnmonitorInstances); NULL until switched, meaning the
--monitor_new_instances default.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('monitoring', sa.Boolean(), nullable=True))
