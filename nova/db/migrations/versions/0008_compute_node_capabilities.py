"""compute_nodes.capabilities: what each host's virt driver can do, as the host
reports it, so that the API checks the host an instance is on and the scheduler
places moves on hosts that can take them (instead of the API's own
--compute_driver flag). NULL until the host's first report.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('compute_nodes') as batch:
        batch.add_column(sa.Column('capabilities', sa.Text(), nullable=True))

