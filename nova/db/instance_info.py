"""What hangs off an instance: metadata, tags and faults."""
import sqlalchemy as sa

from nova import exception
from nova.db import bulk
from nova.db import errors
from nova.db import models
from nova.db import query
from nova.db import session as db_session

Instance = models.Instance
InstanceFault = models.InstanceFault
InstanceMetadata = models.InstanceMetadata
Tag = models.Tag


# ---------------------------------------------------------------- metadata

def set_key_values(session, model, owner_column, owner, metadata, delete):
    """Upsert the key/value rows of one owner (an instance's, a volume's metadata) in the
    caller's transaction (delete: drop the other keys); returns them all."""
    column = getattr(model, owner_column)
    existing = {item.key: item for item in session.scalars(sa.select(model).where(
        column == owner, model.deleted == 0))}
    stale = [key for key in existing if key not in metadata] if delete else []
    if stale:
        session.execute(query.soft_delete(model, column == owner, model.key.in_(stale)))
    result = {key: item.value for key, item in existing.items() if key not in stale}
    for key, value in metadata.items():
        if key in existing:
            existing[key].value = value  # changed rows: one executemany UPDATE at flush
        result[key] = value
    bulk.insert_values(session, model, [
        {owner_column: owner, 'key': key, 'value': value}
        for key, value in metadata.items() if key not in existing])
    return result


def set_metadata(session, instance_uuid, metadata, delete):
    """Upsert metadata in the caller's transaction (delete: drop other keys); returns all."""
    return set_key_values(session, InstanceMetadata, 'instance_uuid', instance_uuid,
                          metadata, delete)


def instance_metadata_get(context, instance_uuid):
    stmt = sa.select(InstanceMetadata.key, InstanceMetadata.value).where(
        InstanceMetadata.instance_uuid == instance_uuid, InstanceMetadata.deleted == 0)
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


def instance_metadata_update(context, instance_uuid, metadata, delete=False):
    """Set keys (delete=True: and remove every other key); returns the metadata."""
    with db_session.writer() as session:
        return set_metadata(session, instance_uuid, metadata, delete)


def instance_metadata_delete(context, instance_uuid, key):
    """Remove one key; removing an absent key does nothing."""
    with db_session.writer() as session:
        session.execute(query.soft_delete(InstanceMetadata,
                                          InstanceMetadata.instance_uuid == instance_uuid,
                                          InstanceMetadata.key == key))


# -------------------------------------------------------------------- tags

def _check_instance(session, instance_uuid):
    found = session.scalar(sa.select(Instance.id).where(Instance.uuid == instance_uuid,
                                                        Instance.deleted == 0))
    if found is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)


def _tags(session, instance_uuid):
    return list(session.scalars(sa.select(Tag.tag).where(Tag.resource_id == instance_uuid)
                                .order_by(Tag.tag)))


def instance_tag_get(context, instance_uuid):
    """The instance's tags, sorted."""
    with db_session.reader() as session:
        return _tags(session, instance_uuid)


def instance_tag_set(context, instance_uuid, tags):
    """Replace the instance's tags; returns them sorted."""
    tags = set(tags)
    with db_session.writer() as session:
        _check_instance(session, instance_uuid)
        current = set(_tags(session, instance_uuid))
        if current - tags:
            session.execute(sa.delete(Tag).where(Tag.resource_id == instance_uuid,
                                                 Tag.tag.in_(current - tags)))
        bulk.insert_values(session, Tag, [{'resource_id': instance_uuid, 'tag': tag}
                                          for tag in tags - current])
    return sorted(tags)


def instance_tag_add(context, instance_uuid, tag):
    """Add a tag; adding one the instance has (even concurrently) is no error."""
    try:
        with db_session.writer() as session:
            _check_instance(session, instance_uuid)
            if not session.get(Tag, (instance_uuid, tag)):
                session.add(Tag(resource_id=instance_uuid, tag=tag))
    except sa.exc.IntegrityError as e:
        if not errors.is_duplicate(e):
            raise
    return tag


def instance_tag_delete(context, instance_uuid, tag):
    with db_session.writer() as session:
        _check_instance(session, instance_uuid)
        stmt = sa.delete(Tag).where(Tag.resource_id == instance_uuid, Tag.tag == tag)
        if session.execute(stmt).rowcount == 0:
            raise exception.InstanceTagNotFound(instance_id=instance_uuid, tag=tag)


def instance_tag_delete_all(context, instance_uuid):
    with db_session.writer() as session:
        _check_instance(session, instance_uuid)
        session.execute(sa.delete(Tag).where(Tag.resource_id == instance_uuid))


def instance_tag_exists(context, instance_uuid, tag):
    with db_session.reader() as session:
        _check_instance(session, instance_uuid)
        return session.get(Tag, (instance_uuid, tag)) is not None


# ------------------------------------------------------------------ faults

def instance_fault_create(context, values):
    """Record why an operation failed (code, message, details, host)."""
    fault = InstanceFault(**values)
    with db_session.writer() as session:
        session.add(fault)
    return fault


def instance_fault_get_by_instance_uuids(context, instance_uuids, latest=True):
    """{uuid: [faults, newest first]} for every uuid asked; latest: the newest only."""
    uuids = list(instance_uuids)
    stmt = sa.select(InstanceFault).where(InstanceFault.instance_uuid.in_(uuids))
    if latest:
        stmt = stmt.where(InstanceFault.id.in_(
            sa.select(sa.func.max(InstanceFault.id))
            .where(InstanceFault.instance_uuid.in_(uuids))
            .group_by(InstanceFault.instance_uuid)))
    faults = {instance_uuid: [] for instance_uuid in uuids}
    with db_session.reader() as session:
        for fault in session.scalars(stmt.order_by(InstanceFault.created_at.desc(),
                                                   InstanceFault.id.desc())):
            faults[fault.instance_uuid].append(fault)
    return faults
