"""Image tasks in SQL: what an import was asked, how it went, until it expires.

A project sees its own tasks; an admin every task. Expired tasks are never
shown and are deleted when new ones are created.
"""
import uuid

import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import image_models as models
from nova.db import query
from nova.db import session as db_session

ImageTask = models.ImageTask
TASK_SORT_KEYS = ('created_at', 'updated_at', 'id', 'type', 'status', 'expires_at')


def _visible(context):
    live = sa.and_(ImageTask.deleted == 0, sa.or_(ImageTask.expires_at.is_(None),
                                                  ImageTask.expires_at > utils.utcnow()))
    if context.is_admin:
        return live
    return sa.and_(live, ImageTask.owner == context.project_id)


def image_task_create(context, values):
    """A new task (values: its columns); expired ones are deleted on the way."""
    task = ImageTask(**values)
    task.id = task.id or str(uuid.uuid4())
    task.created_at = task.updated_at = utils.utcnow()
    with db_session.writer() as session:
        session.execute(sa.delete(ImageTask).where(ImageTask.expires_at <= utils.utcnow()))
        session.add(task)
    return task


def image_task_get(context, task_id):
    stmt = sa.select(ImageTask).where(ImageTask.id == task_id, _visible(context))
    with db_session.reader() as session:
        return query.first(session, stmt, lambda: exception.ImageTaskNotFound(task_id=task_id))


def image_task_get_all(context, filters=None, marker=None, limit=None, sort_key='created_at',
                       sort_dir='desc'):
    """Tasks context may see, filtered by type, status and image_id, paged after marker."""
    if sort_key not in TASK_SORT_KEYS:
        raise exception.InvalidInput(reason='unknown sort key %r; use one of %s' % (
            sort_key, ', '.join(TASK_SORT_KEYS)))
    if sort_dir not in ('asc', 'desc'):
        raise exception.InvalidInput(reason='sort direction %r is not asc or desc'
                                     % (sort_dir,))
    stmt = sa.select(ImageTask).where(_visible(context))
    for name, value in (filters or {}).items():
        stmt = stmt.where(getattr(ImageTask, name) == value)
    column, ident = getattr(ImageTask, sort_key), ImageTask.id
    order = (column.asc(), ident.asc()) if sort_dir == 'asc' else (column.desc(), ident.desc())
    with db_session.reader() as session:
        if marker is not None:
            after = query.first(session, sa.select(ImageTask).where(
                ImageTask.id == marker, _visible(context)),
                lambda: exception.InvalidInput(reason='marker task %s could not be found'
                                               % marker))
            value = getattr(after, sort_key)
            if sort_dir == 'asc':
                stmt = stmt.where(sa.or_(column > value, sa.and_(column == value,
                                                                  ident > after.id)))
            else:
                stmt = stmt.where(sa.or_(column < value, sa.and_(column == value,
                                                                  ident < after.id)))
        stmt = stmt.order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(session.scalars(stmt))


def image_task_update(context, task_id, values, from_status=None):
    """Change a task; ImageTaskNotFound, or Conflict when it left from_status."""
    with db_session.writer() as session:
        task = query.first(session, sa.select(ImageTask).where(
            ImageTask.id == task_id, ImageTask.deleted == 0).with_for_update(),
            lambda: exception.ImageTaskNotFound(task_id=task_id))
        if from_status is not None and task.status not in (
                (from_status,) if isinstance(from_status, str) else from_status):
            raise exception.Conflict(reason='task %s is %s' % (task_id, task.status))
        task.update(values)
        task.updated_at = utils.utcnow()
        return task


def image_task_get_stale(context, before):
    """Unfinished tasks untouched since before (their process died)."""
    stmt = sa.select(ImageTask).where(ImageTask.deleted == 0,
                                      ImageTask.status.in_(('pending', 'processing')),
                                      ImageTask.updated_at < before)
    with db_session.reader() as session:
        return list(session.scalars(stmt))


__all__ = ['image_task_create', 'image_task_get', 'image_task_get_all', 'image_task_update',
           'image_task_get_stale']
