"""Volumes, their metadata and attachments, snapshots and volume types.

State changes are compare-and-swap: an UPDATE that names the statuses it
expects, so that two requests racing for one volume cannot both win (the
loser gets InvalidVolume naming the status it found). Steps that must see
each other (a snapshot taken while the volume is being deleted, an
attachment made while it is reserved by another) lock the volume row first.
Quota usage changes in the same transaction as the rows it counts.
"""
import sqlalchemy as sa
from sqlalchemy import orm

from nova import exception
from nova import utils
from nova.db import errors
from nova.db.instances import ANY
from nova.db import instance_info
from nova.db import models
from nova.db import paginate
from nova.db import query
from nova.db import quotas
from nova.db import session as db_session

__all__ = [
    'volume_create', 'volume_get', 'volume_get_all', 'volume_update', 'volume_destroy',
    'volume_begin_delete', 'volume_metadata_update', 'volume_metadata_delete',
    'volume_count_by_type', 'volume_quota_usage_refresh',
    'volume_attachment_create', 'volume_attachment_get', 'volume_attachment_get_all',
    'volume_attachment_update', 'volume_attachment_complete', 'volume_attachment_destroy',
    'snapshot_create', 'snapshot_get', 'snapshot_get_all', 'snapshot_update',
    'snapshot_destroy', 'volume_type_create', 'volume_type_get', 'volume_type_get_by_name',
    'volume_type_get_all', 'volume_type_names', 'volume_type_update', 'volume_type_destroy',
]

Volume = models.Volume
VolumeMetadata = models.VolumeMetadata
VolumeAttachment = models.VolumeAttachment
Snapshot = models.Snapshot
VolumeType = models.VolumeType

# lists load the collections with one more query each (selectin); one volume with
# one LEFT JOIN query: the SELECTs after the first were half of a GET's cost
_LOAD = (orm.selectinload(Volume.metadata_items), orm.selectinload(Volume.attachment_rows))
_LOAD_ONE = (orm.joinedload(Volume.metadata_items), orm.joinedload(Volume.attachment_rows))
_VOLUME_FILTERS = {
    'uuid': Volume.uuid, 'project_id': Volume.project_id, 'status': Volume.status,
    'display_name': Volume.display_name, 'host': Volume.host,
    'availability_zone': Volume.availability_zone, 'bootable': Volume.bootable,
    'attach_status': Volume.attach_status, 'volume_type_id': Volume.volume_type_id,
    'snapshot_id': Volume.snapshot_id, 'source_volid': Volume.source_volid,
}
_SNAPSHOT_FILTERS = {
    'uuid': Snapshot.uuid, 'project_id': Snapshot.project_id, 'status': Snapshot.status,
    'display_name': Snapshot.display_name, 'volume_id': Snapshot.volume_id,
}


def _in(column, value):
    return column.in_(utils.as_list(value))


def _criteria(columns, filters):
    criteria = []
    for name, value in filters.items():
        if name in columns:
            criteria.append(_in(columns[name], value))
        elif name == 'display_name~':  # Cinder's "name~": a substring match
            criteria.append(columns['display_name'].contains(value, autoescape=True))
        else:
            raise exception.InvalidInput(reason='unknown filter %r' % name)
    return criteria


def _volume_criteria(filters):
    """Criteria of the volume filters, with 'metadata' (every key/value of a dict)
    and 'instance_uuid' (attached to that instance) besides the column ones."""
    filters = dict(filters or {})
    criteria = []
    for key, item in dict(filters.pop('metadata', None) or {}).items():
        criteria.append(Volume.uuid.in_(sa.select(VolumeMetadata.volume_id).where(
            VolumeMetadata.key == key, VolumeMetadata.value == item,
            VolumeMetadata.deleted == 0)))
    if 'instance_uuid' in filters:
        criteria.append(Volume.uuid.in_(sa.select(VolumeAttachment.volume_id).where(
            VolumeAttachment.instance_uuid == filters.pop('instance_uuid'),
            VolumeAttachment.deleted == 0)))
    return criteria + _criteria(_VOLUME_FILTERS, filters)


def _state_mismatch(kind, found, expected):
    expected = sorted(expected) if isinstance(expected, (list, tuple, set)) else [expected]
    return '%s status must be %s, not %s' % (kind, ' or '.join(map(str, expected)), found)


# ------------------------------------------------------------------ volumes

def _volume(session, volume_id, lock=False):
    stmt = sa.select(Volume).where(Volume.uuid == volume_id, Volume.deleted == 0)
    if lock:  # FOR UPDATE cannot take the outer joins' nullable side (PostgreSQL)
        return query.first(session, stmt.options(*_LOAD).with_for_update(),
                           lambda: exception.VolumeNotFound(volume_id=volume_id))
    return _first_volume(session, stmt, volume_id)


def _first_volume(session, stmt, volume_id):
    """The first volume of stmt with its collections, in one query; VolumeNotFound."""
    volume = session.scalars(stmt.options(*_LOAD_ONE).limit(1)).unique().first()
    if volume is None:
        raise exception.VolumeNotFound(volume_id=volume_id)
    return volume


def _reload(session, volume_id):
    session.expire_all()
    return _volume(session, volume_id)


def volume_create(context, values, quota=None):
    """Insert a volume (and its 'metadata') while reserving quota, all or nothing.

    The row returned is the one inserted, its metadata and (no) attachments
    set as loaded: nothing is read back. Core statements, no Session."""
    values = dict(values)
    metadata = values.pop('metadata', None) or {}
    with errors.duplicate_raises(lambda: exception.Conflict(
            reason='volume %s exists' % values.get('uuid'))):
        with db_session.connection(writes=True) as conn:
            quotas.apply_quota(conn, quota)
            row = query.insert_row(conn, Volume, values)
            items = [query.detached(VolumeMetadata, query.insert_row(
                conn, VolumeMetadata, {'volume_id': row['uuid'], 'key': key, 'value': value}))
                for key, value in sorted(metadata.items())]
    row.update(metadata_items=items, attachment_rows=[])
    return query.detached(Volume, row)


_VOLUME_COLUMNS = query.labelled_columns(Volume, 'v_')
_METADATA_COLUMNS = query.labelled_columns(VolumeMetadata, 'm_')
_ATTACHMENT_COLUMNS = query.labelled_columns(VolumeAttachment, 'a_')


def _volume_get_stmt(read_deleted):
    """The newest volume of :b_uuid joined to its live metadata and attachments, with
    its type's name (deleted types too, as volumes keep naming them), a Core
    SELECT built once per read_deleted mode: every GET and every service step
    reads a volume, and building the statement each time, or the ORM's loading
    of its rows, cost more than running it."""
    newest = (sa.select(Volume.id)
              .where(*query.deleted_criteria(None, Volume, read_deleted),
                     Volume.uuid == sa.bindparam('b_uuid', type_=sa.String))
              .order_by(Volume.id.desc()).limit(1).scalar_subquery())
    type_name = (sa.select(VolumeType.name).where(VolumeType.uuid == Volume.volume_type_id)
                 .order_by(VolumeType.id.desc()).limit(1).scalar_subquery().label('t_name'))
    joined = (sa.outerjoin(Volume, VolumeMetadata, sa.and_(
        VolumeMetadata.volume_id == Volume.uuid, VolumeMetadata.deleted == 0))
        .outerjoin(VolumeAttachment, sa.and_(VolumeAttachment.volume_id == Volume.uuid,
                                             VolumeAttachment.deleted == 0)))
    return (sa.select(*(c for _, c in _VOLUME_COLUMNS + _METADATA_COLUMNS +
                        _ATTACHMENT_COLUMNS), type_name)
            .select_from(joined).where(Volume.id == newest)
            .order_by(VolumeMetadata.key, VolumeAttachment.id))


_VOLUME_GET = {mode: _volume_get_stmt(mode) for mode in query.READ_DELETED}


def _detached_volume(rows):
    """The Volume of _VOLUME_GET's rows (one per metadata item x attachment), its
    metadata_items (by key) and attachment_rows (by id) loaded."""
    values = query.row_values(_VOLUME_COLUMNS, rows[0])
    values.update(
        metadata_items=query.joined_children(rows, _METADATA_COLUMNS, VolumeMetadata),
        attachment_rows=sorted(
            query.joined_children(rows, _ATTACHMENT_COLUMNS, VolumeAttachment),
            key=lambda a: a.id))
    volume = query.detached(Volume, values)
    volume.volume_type_name = rows[0].t_name
    return volume


def volume_get(context, volume_id):
    """A live volume with its metadata and attachments; VolumeNotFound. It carries
    ``volume_type_name`` (None without a type): its view reads no types."""
    with db_session.connection() as conn:
        rows = conn.execute(_VOLUME_GET[context.read_deleted], {'b_uuid': volume_id}).all()
    if not rows:
        raise exception.VolumeNotFound(volume_id=volume_id)
    return _detached_volume(rows)


def volume_get_all(context, filters=None, sort_keys=None, sort_dirs=None, limit=None,
                   marker=None):
    """Volumes matching filters (a value or a list each; 'metadata' a dict they all
    have; 'display_name~' a substring; 'instance_uuid' attached to), newest first
    unless sorted otherwise, after the marker volume (MarkerNotFound)."""
    criteria = [*query.deleted_criteria(context, Volume), *_volume_criteria(filters)]
    order = paginate.sort_criteria(Volume, sort_keys or ['created_at'],
                                   sort_dirs or ['desc'], default_dir='desc')
    stmt = sa.select(Volume).options(*_LOAD).where(*criteria)
    with db_session.reader() as session:
        return paginate.page(session, stmt, order, limit,
                             sa.select(Volume).where(Volume.uuid == marker), marker)


_SWAPS = {}


def _swap_stmt(model, keys, guarded):
    """The UPDATE of _swap for these columns, built once (bound parameters: b_uuid,
    b_expected, v_<column>): every status move runs one, and building it and its
    cache key each time cost more than running it."""
    stmt = _SWAPS.get((model, keys, guarded))
    if stmt is None:
        columns = sa.inspect(model).columns
        stmt = sa.update(model).where(model.uuid == sa.bindparam('b_uuid', type_=sa.String),
                                      model.deleted == 0)
        if guarded:
            stmt = stmt.where(model.status.in_(sa.bindparam('b_expected', expanding=True)))
        stmt = _SWAPS[model, keys, guarded] = stmt.values(
            {key: sa.bindparam('v_' + key, type_=columns[key].type) for key in keys}
        ).execution_options(synchronize_session=False)
    return stmt


def _swap(session, model, uuid, values, expected_status, invalid):
    """The compare-and-swap of volumes and snapshots: one UPDATE of a live row whose
    status is one expected; invalid(found status) when it is not, NotFound if gone."""
    values = dict(values, updated_at=utils.utcnow())
    params = {'b_uuid': uuid, **{'v_' + key: value for key, value in values.items()}}
    if expected_status is not ANY:
        params['b_expected'] = utils.as_list(expected_status)
    stmt = _swap_stmt(model, tuple(sorted(values)), expected_status is not ANY)
    if session.execute(stmt, params).rowcount == 0:
        found = session.scalar(sa.select(model.status).where(model.uuid == uuid,
                                                             model.deleted == 0))
        if found is None:
            raise (exception.VolumeNotFound(volume_id=uuid) if model is Volume
                   else exception.SnapshotNotFound(snapshot_id=uuid))
        raise invalid(reason=_state_mismatch(model.__name__, found, expected_status))


def volume_update(context, volume_id, values, expected_status=ANY, quota=None, reload=True):
    """Change a live volume if its status is one expected (one UPDATE), with a
    quota change in the same transaction; returns it (None without reload: a
    service moving a status on does not read the row back).

    InvalidVolume names the status found when it is not.
    """
    if not reload:  # no ORM row to build: a Core connection (a Session cost more)
        with db_session.connection(writes=True) as conn:
            _swap(conn, Volume, volume_id, values, expected_status, exception.InvalidVolume)
            quotas.apply_quota(conn, quota)
        return None
    with db_session.writer() as session:
        _swap(session, Volume, volume_id, values, expected_status, exception.InvalidVolume)
        quotas.apply_quota(session, quota)
        return _reload(session, volume_id)


def _uuid_param():
    return sa.bindparam('b_uuid', type_=sa.String)


def _now_param():
    return sa.bindparam('b_now', type_=sa.DateTime)


# the statements of a delete, built once with bound parameters (b_uuid, b_now,
# b_expected): building them and their cache keys cost more than running them
_BEGIN_DELETE = (sa.update(Volume)
                 .where(Volume.uuid == _uuid_param(), Volume.deleted == 0,
                        Volume.status.in_(sa.bindparam('b_expected', expanding=True)),
                        ~sa.exists().where(VolumeAttachment.volume_id == _uuid_param(),
                                           VolumeAttachment.deleted == 0),
                        ~sa.exists().where(Snapshot.volume_id == _uuid_param(),
                                           Snapshot.deleted == 0))
                 .values(status='deleting', previous_status=Volume.status,
                         updated_at=_now_param()))
_DESTROY = (sa.update(Volume)
            .where(Volume.uuid == _uuid_param(), Volume.deleted == 0)
            .values(deleted=Volume.id, deleted_at=_now_param(), updated_at=_now_param(),
                    status='deleted', attach_status='detached', terminated_at=_now_param()))
_DESTROY_METADATA = (sa.update(VolumeMetadata)
                     .where(VolumeMetadata.deleted == 0,
                            VolumeMetadata.volume_id == _uuid_param())
                     .values(deleted=VolumeMetadata.id, deleted_at=_now_param()))
_DESTROY_ATTACHMENTS = (sa.update(VolumeAttachment)
                        .where(VolumeAttachment.deleted == 0,
                               VolumeAttachment.volume_id == _uuid_param())
                        .values(deleted=VolumeAttachment.id, deleted_at=_now_param()))


def volume_begin_delete(context, volume_id, expected_status, cascade_from=None):
    """Move a volume to 'deleting' unless it is attached or has snapshots (one
    transaction holding the volume row, so that no snapshot starts meanwhile).

    cascade_from: the snapshot statuses that may be deleted with the volume;
    its snapshots move to 'deleting' too. Without it the move is one UPDATE
    whose conditions say it all (no attachment, no snapshot); the rows are
    read only to say why it was refused. Returns nothing.
    """
    if cascade_from is None:
        with db_session.connection(writes=True) as conn:
            if conn.execute(_BEGIN_DELETE, {
                    'b_uuid': volume_id, 'b_now': utils.utcnow(),
                    'b_expected': utils.as_list(expected_status)}).rowcount:
                return
    with db_session.writer() as session:
        volume = _volume(session, volume_id, lock=True)
        if volume.status not in expected_status:
            raise exception.InvalidVolume(reason=_state_mismatch(
                'Volume', volume.status, expected_status) + ' and must not be attached')
        if volume.attachment_rows:
            raise exception.InvalidVolume(reason='Volume %s is attached' % volume_id)
        snapshots = list(session.scalars(sa.select(Snapshot).where(
            Snapshot.volume_id == volume_id, Snapshot.deleted == 0)))
        if snapshots and cascade_from is None:
            raise exception.InvalidVolume(
                reason='Volume %s has %d dependent snapshot(s); delete them first'
                % (volume_id, len(snapshots)))
        for snapshot in snapshots:
            if snapshot.status not in cascade_from:
                raise exception.InvalidVolume(reason='snapshot %s of volume %s is %s' % (
                    snapshot.uuid, volume_id, snapshot.status))
            snapshot.status = 'deleting'
        volume.update({'status': 'deleting', 'previous_status': volume.status})


def volume_destroy(context, volume_id, quota=None, attachments=True):
    """Soft-delete a volume with its metadata and attachments and release its quota,
    in one transaction (nothing read back: no caller needs the deleted row).

    attachments: False when the caller read the volume, in a status no
    attachment can be made in, without any (one statement fewer)."""
    params = {'b_uuid': volume_id, 'b_now': utils.utcnow()}
    with db_session.connection(writes=True) as conn:
        if conn.execute(_DESTROY, params).rowcount == 0:
            raise exception.VolumeNotFound(volume_id=volume_id)
        conn.execute(_DESTROY_METADATA, params)
        if attachments:
            conn.execute(_DESTROY_ATTACHMENTS, params)
        quotas.apply_quota(conn, quota)


def volume_metadata_update(context, volume_id, metadata, delete=False):
    """Set keys (delete=True: and remove the others); returns the whole metadata."""
    with db_session.writer() as session:
        _volume(session, volume_id)
        return instance_info.set_key_values(session, VolumeMetadata, 'volume_id', volume_id,
                                            metadata, delete)


def volume_metadata_delete(context, volume_id, key):
    with db_session.writer() as session:
        _volume(session, volume_id)
        stmt = query.soft_delete(VolumeMetadata, VolumeMetadata.volume_id == volume_id,
                                 VolumeMetadata.key == key)
        if session.execute(stmt).rowcount == 0:
            raise exception.NotFound(message='Metadata item %s was not found' % key)


def volume_count_by_type(context, volume_type_id):
    with db_session.reader() as session:
        return session.scalar(sa.select(sa.func.count(Volume.id)).where(
            Volume.volume_type_id == volume_type_id, Volume.deleted == 0))


def volume_quota_usage_refresh(context, project_id):
    """Make the project's volumes, snapshots and gigabytes usage what its live rows
    hold (gigabytes counts snapshots too, as Cinder does); returns it."""
    with db_session.writer() as session:
        volumes, volume_gb = session.execute(sa.select(
            sa.func.count(Volume.id), sa.func.coalesce(sa.func.sum(Volume.size), 0)).where(
            Volume.project_id == project_id, Volume.deleted == 0)).one()
        snapshots, snapshot_gb = session.execute(sa.select(
            sa.func.count(Snapshot.id), sa.func.coalesce(sa.func.sum(Snapshot.volume_size), 0))
            .where(Snapshot.project_id == project_id, Snapshot.deleted == 0)).one()
        actual = {'volumes': volumes, 'snapshots': snapshots,
                  'gigabytes': int(volume_gb) + int(snapshot_gb)}
        quotas.set_usage(session, project_id, None, actual)
    return actual


# -------------------------------------------------------------- attachments

def volume_attachment_create(context, volume_id, values, expected_status, status):
    """Reserve a volume for an instance: its status moves from one expected to
    ``status`` and an attachment row is made, in one transaction; returns the
    attachment. A volume already attached to the instance is refused."""
    with db_session.writer() as session:
        volume = _volume(session, volume_id, lock=True)
        if volume.status not in expected_status:
            raise exception.InvalidVolume(reason=_state_mismatch(
                'Volume', volume.status, expected_status))
        instance_uuid = values.get('instance_uuid')
        if instance_uuid and any(a.instance_uuid == instance_uuid
                                 for a in volume.attachment_rows):
            raise exception.VolumeAlreadyAttached(volume_id=volume_id,
                                                  instance_uuid=instance_uuid)
        volume.update({'status': status, 'previous_status': volume.status})
        attachment = VolumeAttachment(volume_id=volume_id, **values)
        session.add(attachment)
        session.flush()
        return attachment


def volume_attachment_get(context, attachment_id):
    stmt = sa.select(VolumeAttachment).where(VolumeAttachment.uuid == attachment_id,
                                             VolumeAttachment.deleted == 0)
    with db_session.reader() as session:
        return query.first(session, stmt, lambda: exception.VolumeAttachmentNotFound(
            filter='attachment_id = %s' % attachment_id))


def volume_attachment_get_all(context, volume_id=None, instance_uuid=None):
    stmt = sa.select(VolumeAttachment).where(VolumeAttachment.deleted == 0)
    if volume_id is not None:
        stmt = stmt.where(_in(VolumeAttachment.volume_id, volume_id))
    if instance_uuid is not None:
        stmt = stmt.where(VolumeAttachment.instance_uuid == instance_uuid)
    with db_session.reader() as session:
        return list(session.scalars(stmt.order_by(VolumeAttachment.id)))


def volume_attachment_update(context, attachment_id, values):
    stmt = (sa.update(VolumeAttachment)
            .where(VolumeAttachment.uuid == attachment_id, VolumeAttachment.deleted == 0)
            .values(updated_at=utils.utcnow(), **values)
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        if session.execute(stmt).rowcount == 0:
            raise exception.VolumeAttachmentNotFound(filter='attachment_id = %s'
                                                     % attachment_id)
        return session.scalars(sa.select(VolumeAttachment).where(
            VolumeAttachment.uuid == attachment_id)).one()


def _attachment_and_volume(session, attachment_id):
    """A live attachment and its volume, the volume's row locked."""
    attachment = query.first(session, sa.select(VolumeAttachment).where(
        VolumeAttachment.uuid == attachment_id, VolumeAttachment.deleted == 0),
        lambda: exception.VolumeAttachmentNotFound(filter='attachment_id = %s'
                                                   % attachment_id))
    return attachment, _volume(session, attachment.volume_id, lock=True)


def volume_attachment_complete(context, attachment_id, values):
    """The attachment is attached and its volume in-use (one transaction); returns the volume."""
    now = utils.utcnow()
    with db_session.writer() as session:
        attachment, volume = _attachment_and_volume(session, attachment_id)
        attachment.update(dict(values, attach_status='attached', attach_time=now))
        volume.update({'status': 'in-use', 'attach_status': 'attached',
                       'previous_status': volume.status})
        session.flush()
        return _reload(session, volume.uuid)


def volume_attachment_destroy(context, attachment_id):
    """Remove an attachment; its volume becomes available once it has none left
    (in-use while others remain). One transaction; returns the volume."""
    now = utils.utcnow()
    with db_session.writer() as session:
        attachment, volume = _attachment_and_volume(session, attachment_id)
        attachment.update({'deleted': attachment.id, 'deleted_at': now,
                           'attach_status': 'detached', 'detach_time': now})
        others = [a for a in volume.attachment_rows if a.id != attachment.id]
        attached = [a for a in others if a.attach_status == 'attached']
        volume.update({'previous_status': volume.status,
                       'status': 'in-use' if attached else (
                           volume.status if others else 'available'),
                       'attach_status': 'attached' if attached else 'detached'})
        session.flush()
        return _reload(session, volume.uuid)


# ---------------------------------------------------------------- snapshots

def snapshot_create(context, values, volume_status, quota=None):
    """Insert a snapshot of a volume whose status is one of volume_status, while
    reserving quota (holding the volume row: a delete cannot start meanwhile)."""
    snapshot = Snapshot(**values)
    with db_session.writer() as session:
        volume = _volume(session, values['volume_id'], lock=True)
        if volume.status not in volume_status:
            raise exception.InvalidVolume(reason=_state_mismatch(
                'Volume', volume.status, volume_status))
        volume.updated_at = utils.utcnow()  # the row lock, on engines without FOR UPDATE
        quotas.apply_quota(session, quota)
        session.add(snapshot)
    return snapshot


def snapshot_get(context, snapshot_id):
    stmt = query.model_query(context, Snapshot).where(Snapshot.uuid == snapshot_id)
    with db_session.reader() as session:
        return query.first(session, stmt.order_by(Snapshot.id.desc()),
                           lambda: exception.SnapshotNotFound(snapshot_id=snapshot_id))


def snapshot_get_all(context, filters=None, sort_keys=None, sort_dirs=None, limit=None,
                     marker=None):
    criteria = [*query.deleted_criteria(context, Snapshot),
                *_criteria(_SNAPSHOT_FILTERS, dict(filters or {}))]
    order = paginate.sort_criteria(Snapshot, sort_keys or ['created_at'],
                                   sort_dirs or ['desc'], default_dir='desc')
    with db_session.reader() as session:
        return paginate.page(session, sa.select(Snapshot).where(*criteria), order, limit,
                             sa.select(Snapshot).where(Snapshot.uuid == marker), marker)


def snapshot_update(context, snapshot_id, values, expected_status=ANY):
    """Change a live snapshot if its status is one expected (InvalidSnapshot)."""
    with db_session.writer() as session:
        _swap(session, Snapshot, snapshot_id, values, expected_status,
              exception.InvalidSnapshot)
        return session.scalars(sa.select(Snapshot).where(Snapshot.uuid == snapshot_id,
                                                         Snapshot.deleted == 0)).one()


def snapshot_destroy(context, snapshot_id, quota=None):
    """Soft-delete a snapshot and release its quota in one transaction."""
    now = utils.utcnow()
    stmt = (sa.update(Snapshot)
            .where(Snapshot.uuid == snapshot_id, Snapshot.deleted == 0)
            .values(deleted=Snapshot.id, deleted_at=now, updated_at=now, status='deleted')
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        if session.execute(stmt).rowcount == 0:
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
        quotas.apply_quota(session, quota)


# ------------------------------------------------------------- volume types

def volume_type_create(context, values):
    volume_type = VolumeType(**values)
    name = values.get('name')
    with errors.duplicate_raises(lambda: exception.VolumeTypeExists(id=name)):
        with db_session.writer() as session:
            session.add(volume_type)
    return volume_type


def volume_type_get(context, volume_type_id):
    stmt = query.model_query(context, VolumeType).where(VolumeType.uuid == volume_type_id)
    with db_session.reader() as session:
        return query.first(session, stmt, lambda: exception.VolumeTypeNotFound(
            volume_type_id=volume_type_id))


_TYPE_COLUMNS = query.labelled_columns(VolumeType, '')
# built once per read_deleted mode: every create without a type reads the default
_TYPE_BY_NAME = {mode: sa.select(*(c for _, c in _TYPE_COLUMNS)).where(
    *query.deleted_criteria(None, VolumeType, mode),
    VolumeType.name == sa.bindparam('b_name', type_=sa.String)).limit(1)
    for mode in query.READ_DELETED}


def volume_type_get_by_name(context, name):
    with db_session.connection() as conn:
        row = conn.execute(_TYPE_BY_NAME[context.read_deleted], {'b_name': name}).first()
    if row is None:
        raise exception.VolumeTypeNotFound(volume_type_id=name)
    return query.detached(VolumeType, query.row_values(_TYPE_COLUMNS, row))


def volume_type_get_all(context, is_public=None):
    stmt = query.model_query(context, VolumeType).order_by(VolumeType.id)
    if is_public is not None:
        stmt = stmt.where(VolumeType.is_public.is_(bool(is_public)))
    with db_session.reader() as session:
        return list(session.scalars(stmt))


def volume_type_names(context):
    """{uuid: name} of the types (as context.read_deleted says): two columns, no rows
    built, for the views that name each volume's type."""
    stmt = sa.select(VolumeType.uuid, VolumeType.name).where(
        *query.deleted_criteria(context, VolumeType))
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


def volume_type_update(context, volume_type_id, values):
    with errors.duplicate_raises(lambda: exception.VolumeTypeExists(id=values.get('name'))):
        with db_session.writer() as session:
            volume_type = query.first(session, sa.select(VolumeType).where(
                VolumeType.uuid == volume_type_id, VolumeType.deleted == 0),
                lambda: exception.VolumeTypeNotFound(volume_type_id=volume_type_id))
            volume_type.update(values)
            session.flush()
            return volume_type


def volume_type_destroy(context, volume_type_id):
    """Soft-delete a type no live volume uses (VolumeTypeInUse)."""
    with db_session.writer() as session:
        in_use = session.scalar(sa.select(sa.func.count(Volume.id)).where(
            Volume.volume_type_id == volume_type_id, Volume.deleted == 0))
        if in_use:
            raise exception.VolumeTypeInUse(volume_type_id=volume_type_id)
        stmt = query.soft_delete(VolumeType, VolumeType.uuid == volume_type_id)
        if session.execute(stmt).rowcount == 0:
            raise exception.VolumeTypeNotFound(volume_type_id=volume_type_id)
