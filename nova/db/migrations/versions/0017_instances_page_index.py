"""Server lists page through an index: instances by (project_id, deleted,
created_at, id), the order of every list, so that the page after a marker is
an index seek (row-value comparison) and the first page of a project of
10,000 servers reads its 1,000 rows, not all 10,000 and a sort. It replaces
the (project_id, deleted) index, its prefix.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('instances_project_id_deleted_created_at_id_idx', 'instances',
                    ['project_id', 'deleted', 'created_at', 'id'])
    op.drop_index('instances_project_id_deleted_idx', table_name='instances')


def downgrade():
    op.create_index('instances_project_id_deleted_idx', 'instances', ['project_id', 'deleted'])
    op.drop_index('instances_project_id_deleted_created_at_id_idx', table_name='instances')
