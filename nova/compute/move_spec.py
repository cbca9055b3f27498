"""Request specs for placing an existing instance again (resize, migrations, unshelve).

The spec says what a new boot of the instance would: its (new) flavor, its
image's properties as recorded at boot, its zone and server group, so that the
scheduler's filters judge a move as they judged the boot.
"""
import json

from nova import exception
from nova.db import api as db

_SIZES = ('memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap')


def image_properties(instance):
    """The image properties the instance was booted with (kept in system_metadata)."""
    return {k[len('image_'):]: v for k, v in (instance.system_metadata or {}).items()
            if k.startswith('image_')}


def request_spec(context, instance, flavor, ignore_hosts=(), force_hosts=(), image_id=None,
                 required_capabilities=(), hints=False):
    """The scheduler's request for one more place for ``instance`` with ``flavor`` (a dict);
    the destination must have reported ``required_capabilities``. ``hints``: with
    the scheduler hints the instance was created with (a boot sent again)."""
    spec = {
        'instance_uuids': [instance.uuid], 'num_instances': 1,
        'flavor': dict({k: flavor.get(k) or 0 for k in _SIZES},
                       flavorid=flavor.get('flavorid'), name=flavor.get('name'),
                       extra_specs=dict(flavor.get('extra_specs') or {})),
        'image': {'id': image_id or instance.image_ref,
                  'properties': image_properties(instance)},
        'availability_zone': instance.availability_zone,
        'project_id': instance.project_id, 'user_id': instance.user_id,
        'scheduler_hints': {}, 'ignore_hosts': list(ignore_hosts),
        'force_hosts': list(force_hosts),
    }
    if instance.config_drive:  # the destination spawns it with its drive again
        required_capabilities = tuple(required_capabilities) + ('supports_config_drive',)
    if required_capabilities:
        spec['required_capabilities'] = list(required_capabilities)
    if hints:
        spec['scheduler_hints'] = {
            k: v for k, v in json.loads((instance.system_metadata or {}).get(
                'scheduler_hints') or '{}').items()
            if k in ('same_host', 'different_host', 'query')}
    try:
        group = db.instance_group_get_by_instance(context, instance.uuid)
    except exception.InstanceGroupNotFound:
        return spec
    spec['instance_group'] = {'uuid': group.uuid, 'policies': [group.policy], 'hosts': [],
                              'members': []}
    return spec
