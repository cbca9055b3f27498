"""Block device mappings: the disks of each instance (root image or volume, attached volumes)."""
import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import models
from nova.db import query
from nova.db import session as db_session

__all__ = ['block_device_mapping_create', 'block_device_mapping_get',
           'block_device_mapping_get_all_by_instance',
           'block_device_mapping_get_all_by_instance_uuids',
           'block_device_volumes_by_instance_uuids',
           'block_device_mapping_get_by_volume', 'block_device_mapping_update',
           'block_device_mapping_destroy', 'block_device_mapping_destroy_by_instance']

BlockDeviceMapping = models.BlockDeviceMapping


def _ordered(stmt):
    # the root disk first, then the others in the order they were mapped
    return stmt.order_by(sa.case((BlockDeviceMapping.boot_index.is_(None), 1), else_=0),
                         BlockDeviceMapping.boot_index, BlockDeviceMapping.id)


def _live(*criteria):
    return sa.select(BlockDeviceMapping).where(BlockDeviceMapping.deleted == 0, *criteria)


def _not_found(what):
    return lambda: exception.NotFound(message='Block device mapping %s could not be found.'
                                      % what)


def block_device_mapping_create(context, values):
    bdm = BlockDeviceMapping(**values)
    with db_session.writer() as session:
        session.add(bdm)
    return bdm


def block_device_mapping_get(context, bdm_uuid):
    with db_session.reader() as session:
        return query.first(session, _live(BlockDeviceMapping.uuid == bdm_uuid),
                           _not_found(bdm_uuid))


_COLUMNS = query.labelled_columns(BlockDeviceMapping, '')
# a Core SELECT built once (every delete, boot and attach reads an instance's
# mappings, and building the statement, or the ORM's loading of its rows, cost more
# than running it)
_BY_INSTANCE = _ordered(sa.select(*(column for _, column in _COLUMNS)).where(
    BlockDeviceMapping.deleted == 0,
    BlockDeviceMapping.instance_uuid == sa.bindparam('b_uuid', type_=sa.String)))
# the same for many instances (a host reads those of each batch it builds)
_BY_INSTANCES = _ordered(sa.select(*(column for _, column in _COLUMNS)).where(
    BlockDeviceMapping.deleted == 0,
    BlockDeviceMapping.instance_uuid.in_(sa.bindparam('b_uuids', expanding=True))))


def block_device_mapping_get_all_by_instance(context, instance_uuid):
    """An instance's live mappings, the root disk first."""
    with db_session.connection(one_statement=True) as conn:
        rows = conn.execute(_BY_INSTANCE, {'b_uuid': instance_uuid}).all()
    return [query.detached(BlockDeviceMapping, query.row_values(_COLUMNS, row))
            for row in rows]


def block_device_mapping_get_all_by_instance_uuids(context, instance_uuids):
    """{instance uuid: [mappings, root first]} for every uuid asked (one SELECT)."""
    uuids = list(instance_uuids)
    found = {uuid: [] for uuid in uuids}
    if not uuids:
        return found
    with db_session.connection(one_statement=True) as conn:
        for row in conn.execute(_BY_INSTANCES, {'b_uuids': uuids}):
            bdm = query.detached(BlockDeviceMapping, query.row_values(_COLUMNS, row))
            found[bdm.instance_uuid].append(bdm)
    return found



_VOLUMES = _ordered(
    sa.select(BlockDeviceMapping.instance_uuid, BlockDeviceMapping.volume_id,
              BlockDeviceMapping.delete_on_termination)
    .where(BlockDeviceMapping.deleted == 0, BlockDeviceMapping.destination_type == 'volume',
           BlockDeviceMapping.volume_id.is_not(None),
           query.AnyOf(BlockDeviceMapping.instance_uuid, 'uuids')))


def block_device_volumes_by_instance_uuids(context, instance_uuids):
    """{instance uuid: [(volume id, delete_on_termination)], the root first} for
    every uuid asked: what the server views show, one SELECT of three columns
    (a page of 1,000 servers built 1,000 mapping objects for them)."""
    uuids = list(instance_uuids)
    found = {uuid: [] for uuid in uuids}
    if uuids:
        with db_session.reader() as session:
            rows = session.connection().execute(_VOLUMES, {'uuids': uuids}).all()
        for uuid, volume_id, on_termination in rows:
            found[uuid].append((volume_id, bool(on_termination)))
    return found


def block_device_mapping_get_by_volume(context, volume_id, instance_uuid=None):
    """The live mapping of a volume (to instance_uuid, if given); NotFound."""
    criteria = [BlockDeviceMapping.volume_id == volume_id]
    if instance_uuid is not None:
        criteria.append(BlockDeviceMapping.instance_uuid == instance_uuid)
    with db_session.reader() as session:
        return query.first(session, _live(*criteria).order_by(BlockDeviceMapping.id.desc()),
                           _not_found('of volume %s' % volume_id))


def block_device_mapping_update(context, bdm_uuid, values):
    stmt = (sa.update(BlockDeviceMapping)
            .where(BlockDeviceMapping.uuid == bdm_uuid, BlockDeviceMapping.deleted == 0)
            .values(updated_at=utils.utcnow(), **values)
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        if session.execute(stmt).rowcount == 0:
            raise _not_found(bdm_uuid)()
        return session.scalars(_live(BlockDeviceMapping.uuid == bdm_uuid)).one()


def block_device_mapping_destroy(context, bdm_uuid):
    with db_session.writer() as session:
        session.execute(query.soft_delete(BlockDeviceMapping,
                                          BlockDeviceMapping.uuid == bdm_uuid))


def block_device_mapping_destroy_by_instance(context, instance_uuid):
    with db_session.one_statement_writer() as session:
        session.execute(query.soft_delete(BlockDeviceMapping,
                                          BlockDeviceMapping.instance_uuid == instance_uuid))
