"""Migration records: resizes, cold and live migrations of instances between hosts."""
import datetime

import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import models
from nova.db import paginate
from nova.db import query
from nova.db import session as db_session

Migration = models.Migration

# statuses after which a migration no longer holds resources on its hosts
FINISHED_STATUSES = ('confirmed', 'reverted', 'error', 'failed', 'completed', 'cancelled',
                     'done')


# statuses of a move that took place: the instance left its source_compute
MOVED_STATUSES = ('completed', 'finished', 'confirmed', 'done')


def migration_previous_hosts(context, instance_uuids):
    """{instance uuid: [hosts it moved away from, oldest move first]}: the sources of
    its live and cold migrations, resizes and evacuations that took place."""
    uuids = list(instance_uuids)
    if not uuids:
        return {}
    stmt = (sa.select(Migration.instance_uuid, Migration.source_compute)
            .where(Migration.instance_uuid.in_(uuids), Migration.status.in_(MOVED_STATUSES),
                   Migration.source_compute.is_not(None),
                   Migration.source_compute != sa.func.coalesce(Migration.dest_compute, ''),
                   *query.deleted_criteria(context, Migration))
            .order_by(Migration.created_at, Migration.id))
    found = {}
    with db_session.reader() as session:
        for instance_uuid, host in session.execute(stmt):
            found.setdefault(instance_uuid, []).append(host)
    return found


def migration_create(context, values):
    migration = Migration(**values)
    with db_session.writer() as session:
        session.add(migration)
    return migration


def migration_get(context, migration_id):
    with db_session.reader() as session:
        return query.first(
            session, query.model_query(context, Migration).where(Migration.id == migration_id),
            lambda: exception.MigrationNotFound(migration_id=migration_id))


def migration_get_by_uuid(context, migration_uuid):
    with db_session.reader() as session:
        return query.first(
            session,
            query.model_query(context, Migration).where(Migration.uuid == migration_uuid),
            lambda: exception.MigrationNotFound(migration_id=migration_uuid))


def migration_update(context, migration_id, values):
    """Change a live migration's columns (status, dest_compute, ...); returns it."""
    live = query.model_query(context, Migration, read_deleted='no')
    with db_session.writer() as session:
        migration = query.first(session, live.where(Migration.id == migration_id),
                                lambda: exception.MigrationNotFound(migration_id=migration_id))
        migration.update(values)
    return migration


def migration_get_by_instance_and_status(context, instance_uuid, status):
    stmt = query.model_query(context, Migration).where(
        Migration.instance_uuid == instance_uuid, Migration.status == status)
    with db_session.reader() as session:
        return query.first(session, stmt.order_by(Migration.id.desc()),
                           lambda: exception.MigrationNotFoundByStatus(
                               instance_id=instance_uuid, status=status))


def migration_get_all_by_filters(context, filters, sort_keys=None, sort_dirs=None, limit=None,
                                 marker=None):
    """Migrations matching filters (status (a value or list), host (source or
    destination), source_compute, instance_uuid, migration_type, changes-since,
    changes-before, hidden, project_id and user_id of the instance), newest
    first unless sorted otherwise, after the marker migration uuid.
    """
    filters = dict(filters or {})
    stmt = query.model_query(context, Migration)
    if 'status' in filters:
        stmt = stmt.where(Migration.status.in_(utils.as_list(filters['status'])))
    if 'host' in filters:
        host = filters['host']
        stmt = stmt.where(sa.or_(Migration.source_compute == host,
                                 Migration.dest_compute == host))
    if 'instance_uuid' in filters:
        stmt = stmt.where(Migration.instance_uuid == filters['instance_uuid'])
    if 'source_compute' in filters:
        stmt = stmt.where(Migration.source_compute == filters['source_compute'])
    owners = {key: filters[key] for key in ('project_id', 'user_id') if key in filters}
    if owners:  # migrations of the instances a project or user owns (deleted too)
        stmt = stmt.where(Migration.instance_uuid.in_(sa.select(models.Instance.uuid).where(
            *(getattr(models.Instance, key) == value for key, value in owners.items()))))
    if 'migration_type' in filters:
        stmt = stmt.where(Migration.migration_type.in_(utils.as_list(filters['migration_type'])))
    if 'changes-since' in filters:
        since = filters['changes-since']
        stmt = stmt.where(sa.func.coalesce(Migration.updated_at, Migration.created_at) >= since)
    if 'changes-before' in filters:
        before = filters['changes-before']
        stmt = stmt.where(sa.func.coalesce(Migration.updated_at, Migration.created_at) <= before)
    if 'hidden' in filters:
        stmt = stmt.where(Migration.hidden.is_(bool(filters['hidden'])))
    order = paginate.sort_criteria(Migration, sort_keys or ['created_at', 'id'],
                                   sort_dirs or ['desc', 'desc'], default_dir='desc')
    marker_stmt = sa.select(Migration).where(Migration.uuid == marker)
    with db_session.reader() as session:
        return paginate.page(session, stmt, order, limit, marker_stmt, marker)


def migration_get_unconfirmed_by_dest_compute(context, confirm_window_seconds, dest_compute):
    """Resizes finished on dest_compute longer than the window ago (to auto-confirm)."""
    older_than = utils.utcnow() - datetime.timedelta(seconds=confirm_window_seconds)
    stmt = query.model_query(context, Migration).where(
        Migration.status == 'finished', Migration.dest_compute == dest_compute,
        sa.func.coalesce(Migration.updated_at, Migration.created_at) <= older_than
    ).order_by(Migration.id)
    with db_session.reader() as session:
        return list(session.scalars(stmt))


def migration_get_in_progress_by_host_and_node(context, host, node):
    """Unfinished migrations from or to this host and node (they hold resources there)."""
    stmt = query.model_query(context, Migration).where(
        sa.or_(sa.and_(Migration.source_compute == host, Migration.source_node == node),
               sa.and_(Migration.dest_compute == host, Migration.dest_node == node)),
        Migration.status.not_in(FINISHED_STATUSES)).order_by(Migration.id)
    with db_session.reader() as session:
        return list(session.scalars(stmt))
