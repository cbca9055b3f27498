"""What a compute node's claims should be: its instances, and its end of every move.

A resize or cold migration holds resources on both hosts until it is confirmed
or reverted, as in Nova: the host the instance is on holds its current flavor
under the instance uuid, the other end holds the other flavor under
``<uuid>:migration``. A live migration's destination holds the instance's
flavor there until the guest arrives. The manager moves these claims at each
step; nova/compute/host/claims.py recomputes them from the database, for
start-up and the periodic recount. These names are shared by the API (which
reads an instance's flavors) and the hosts.
"""

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
