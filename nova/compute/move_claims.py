"""What a compute node's claims should be: its instances, and its end of every move.

A resize or cold migration holds resources on both hosts until it is confirmed
or reverted, as in Nova: the host the instance is on holds its current flavor
under the instance uuid, the other end holds the other flavor under
``<uuid>:migration``. A live migration's destination holds the instance's
flavor there until the guest arrives. The manager moves these claims at each
step; ``expected_claims`` recomputes them from the database, for start-up and
the periodic recount.
"""
import logging

from nova import exception
from nova.db import api as db

LOG = logging.getLogger(__name__)

SUFFIX = ':migration'
RESIZE_TYPES = ('resize', 'migration')
LIVE_TYPE = 'live-migration'


def key(instance_uuid):
    """The claim key of the end of a move that the instance is not on."""
    return instance_uuid + SUFFIX


def resize_flavors(instance):
    """(old, new) flavor dicts of a resize in progress, or (None, None)."""
    flavor = instance.flavor or {}
    return flavor.get('old'), flavor.get('new')


def current_flavor(instance):
    """The instance's flavor dict, from its columns when the JSON copy is missing."""
    cur = (instance.flavor or {}).get('cur')
    if cur:
        return cur
    return {'id': instance.instance_type_id, 'memory_mb': instance.memory_mb,
            'vcpus': instance.vcpus, 'root_gb': instance.root_gb,
            'ephemeral_gb': instance.ephemeral_gb}


def other_end(migration, instance, host):
    """The flavor ``host`` holds under key(uuid) for this move, or None."""
    if migration.migration_type == LIVE_TYPE:
        if instance.host != host and host == migration.dest_compute:
            return current_flavor(instance)
        return None
    old, new = resize_flavors(instance)
    if old is None or new is None:
        return None
    if instance.host != host:
        return new if host == migration.dest_compute else old
    if migration.source_compute == migration.dest_compute == host:
        return old if current_flavor(instance).get('id') == new.get('id') else new
    return None


def expected_claims(context, host, nodename):
    """{claim key: (instance, flavor dict or None for the instance's own)} for a node."""
    claims = {i.uuid: (i, None) for i in db.instance_get_all_by_host(context, host)
              if i.node in (None, nodename)}
    migrations = db.migration_get_in_progress_by_host_and_node(context, host, nodename)
    if not migrations:
        return claims
    moving = {i.uuid: i for i in db.instance_get_all_by_filters(
        context, {'uuid': [m.instance_uuid for m in migrations], 'deleted': False})}
    for migration in migrations:
        instance = moving.get(migration.instance_uuid)
        if instance is None:
            _fail_orphan(context, migration)
            continue
        flavor = other_end(migration, instance, host)
        if flavor is not None:
            claims[key(instance.uuid)] = (instance, flavor)
    return claims


def _fail_orphan(context, migration):
    """The instance was deleted mid-move: the migration will never finish."""
    try:
        db.migration_update(context, migration.id, {'status': 'error'})
    except exception.MigrationNotFound:
        pass
    LOG.info('Migration %s of deleted instance %s marked error', migration.id,
             migration.instance_uuid)
