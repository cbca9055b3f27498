"""Host aggregates: named groups of hosts with metadata (availability zones too).

Rows come with hosts and metadata loaded (.hosts, .metadetails).
"""
import sqlalchemy as sa
from sqlalchemy import orm

from nova import exception
from nova.db import bulk
from nova.db import errors
from nova.db import models
from nova.db import query
from nova.db import session as db_session

Aggregate = models.Aggregate
AggregateHost = models.AggregateHost
AggregateMetadata = models.AggregateMetadata

_LOAD = (orm.selectinload(Aggregate.host_rows), orm.selectinload(Aggregate.metadata_rows))


def _query(context):
    return query.model_query(context, Aggregate).options(*_LOAD)


def _get(session, context, aggregate_id):
    return query.first(session, _query(context).where(Aggregate.id == aggregate_id),
                       lambda: exception.AggregateNotFound(aggregate_id=aggregate_id))


def _check_live(session, aggregate_id):
    if session.scalar(sa.select(Aggregate.id).where(Aggregate.id == aggregate_id,
                                                    Aggregate.deleted == 0)) is None:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)


def aggregate_create(context, values, metadata=None):
    """A new aggregate (name, optional uuid) with metadata; AggregateNameExists."""
    aggregate = Aggregate(**values)
    name = aggregate.name
    with errors.duplicate_raises(lambda: exception.AggregateNameExists(aggregate_name=name)):
        with db_session.writer() as session:
            session.add(aggregate)
            session.flush()
            rows = [{'aggregate_id': aggregate.id, 'key': k, 'value': v}
                    for k, v in (metadata or {}).items() if v is not None]
            bulk.insert_values(session, AggregateMetadata, rows)
    bulk.set_children(aggregate, 'host_rows', AggregateHost, [])
    bulk.set_children(aggregate, 'metadata_rows', AggregateMetadata, rows)
    return aggregate


def aggregate_get(context, aggregate_id):
    with db_session.reader() as session:
        return _get(session, context, aggregate_id)


def aggregate_get_by_uuid(context, aggregate_uuid):
    with db_session.reader() as session:
        return query.first(session, _query(context).where(Aggregate.uuid == aggregate_uuid),
                           lambda: exception.AggregateNotFound(aggregate_id=aggregate_uuid))


def aggregate_get_all(context):
    with db_session.reader() as session:
        return list(session.scalars(_query(context).order_by(Aggregate.id)))


def aggregate_get_by_host(context, host, key=None):
    """The aggregates host belongs to; only those with metadata `key` if given."""
    stmt = _query(context).where(Aggregate.id.in_(sa.select(AggregateHost.aggregate_id).where(
        AggregateHost.host == host, AggregateHost.deleted == 0)))
    if key is not None:
        stmt = stmt.where(Aggregate.id.in_(sa.select(AggregateMetadata.aggregate_id).where(
            AggregateMetadata.key == key, AggregateMetadata.deleted == 0)))
    with db_session.reader() as session:
        return list(session.scalars(stmt.order_by(Aggregate.id)))


def aggregate_update(context, aggregate_id, values):
    """Rename (or re-uuid) an aggregate; AggregateNameExists if the name is taken."""
    with db_session.writer() as session:
        aggregate = _get(session, context.elevated(read_deleted='no'), aggregate_id)
        aggregate.update(values)
        name = aggregate.name
        with errors.duplicate_raises(lambda: exception.AggregateNameExists(aggregate_name=name)):
            session.flush()
    return aggregate


def aggregate_delete(context, aggregate_id):
    """Soft-delete an aggregate and its metadata; refused while it has hosts."""
    with db_session.writer() as session:
        aggregate = _get(session, context.elevated(read_deleted='no'), aggregate_id)
        if aggregate.hosts:
            raise exception.InvalidAggregateAction(
                action='delete', aggregate_id=aggregate_id,
                reason='it still has hosts %s' % ', '.join(aggregate.hosts))
        session.execute(query.soft_delete(Aggregate, Aggregate.id == aggregate_id))
        session.execute(query.soft_delete(AggregateMetadata,
                                          AggregateMetadata.aggregate_id == aggregate_id))


def aggregate_metadata_get(context, aggregate_id):
    stmt = sa.select(AggregateMetadata.key, AggregateMetadata.value).where(
        AggregateMetadata.aggregate_id == aggregate_id, AggregateMetadata.deleted == 0)
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


def aggregate_metadata_add(context, aggregate_id, metadata, set_delete=False):
    """Set keys (a None value deletes its key; set_delete: so does every key not
    given); returns the metadata.
    """
    with db_session.writer() as session:
        _check_live(session, aggregate_id)
        existing = {row.key: row for row in session.scalars(sa.select(AggregateMetadata).where(
            AggregateMetadata.aggregate_id == aggregate_id, AggregateMetadata.deleted == 0))}
        drop = [key for key in existing
                if (set_delete and key not in metadata) or
                (key in metadata and metadata[key] is None)]
        if drop:
            session.execute(query.soft_delete(AggregateMetadata,
                                              AggregateMetadata.aggregate_id == aggregate_id,
                                              AggregateMetadata.key.in_(drop)))
        result = {key: row.value for key, row in existing.items() if key not in drop}
        kept = {key: value for key, value in metadata.items() if value is not None}
        for key, value in kept.items():
            if key in existing:
                existing[key].value = value
        bulk.insert_values(session, AggregateMetadata, [
            {'aggregate_id': aggregate_id, 'key': key, 'value': value}
            for key, value in kept.items() if key not in existing])
    return {**result, **kept}


def aggregate_metadata_delete(context, aggregate_id, key):
    with db_session.writer() as session:
        stmt = query.soft_delete(AggregateMetadata, AggregateMetadata.aggregate_id == aggregate_id,
                                 AggregateMetadata.key == key)
        if session.execute(stmt).rowcount == 0:
            raise exception.AggregateMetadataNotFound(aggregate_id=aggregate_id, metadata_key=key)


def aggregate_host_add(context, aggregate_id, host):
    """Add a host; AggregateHostExists if it is a member already. Returns the aggregate."""
    with errors.duplicate_raises(
            lambda: exception.AggregateHostExists(aggregate_id=aggregate_id, host=host)):
        with db_session.writer() as session:
            _check_live(session, aggregate_id)
            session.add(AggregateHost(aggregate_id=aggregate_id, host=host))
    return aggregate_get(context, aggregate_id)


def aggregate_host_delete(context, aggregate_id, host):
    with db_session.writer() as session:
        stmt = query.soft_delete(AggregateHost, AggregateHost.aggregate_id == aggregate_id,
                                 AggregateHost.host == host)
        if session.execute(stmt).rowcount == 0:
            raise exception.AggregateHostNotFound(aggregate_id=aggregate_id, host=host)
