"""Image tasks: Glance's /v2/tasks and the tasks of interoperable imports.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'image_tasks',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('type', sa.String(30), nullable=False),
        sa.Column('status', sa.String(30), nullable=False),
        sa.Column('owner', sa.String(255), nullable=True),
        sa.Column('image_id', sa.String(36), nullable=True),
        sa.Column('user_id', sa.String(64), nullable=True),
        sa.Column('request_id', sa.String(64), nullable=True),
        sa.Column('input', sa.JSON(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='image_tasks_pkey'),
    )
    op.create_index('image_tasks_owner_idx', 'image_tasks', ['owner'])
    op.create_index('image_tasks_image_id_idx', 'image_tasks', ['image_id'])


def downgrade():
    op.drop_table('image_tasks')
