"""Request schemas of /os-quota-sets, per microversion."""
import copy

from nova import quota
from nova.api.openstack import parameter_types as types

_limit = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$', 'minimum': -1,
          'maximum': 2 ** 31 - 1}
# the resources each version no longer accepts
REMOVED_V236 = quota.NETWORK_RESOURCES
REMOVED_V257 = REMOVED_V236 + ('injected_files', 'injected_file_content_bytes',
                               'injected_file_path_bytes')


def _update(removed=(), key='quota_set', force=True):
    properties = {name: _limit for name in quota.RESOURCES if name not in removed}
    if force:
        properties['force'] = types.boolean
    return {
        'type': 'object',
        'properties': {
            key: {'type': 'object', 'properties': copy.deepcopy(properties),
                  'additionalProperties': False},
        },
        'required': [key],
        'additionalProperties': False,
    }


update = _update()
update_v236 = _update(REMOVED_V236)
update_v257 = _update(REMOVED_V257)
# /os-quota-class-sets/{class}: the same limits, no force
class_update = _update(key='quota_class_set', force=False)
class_update_v250 = _update(REMOVED_V236, key='quota_class_set', force=False)
class_update_v257 = _update(REMOVED_V257, key='quota_class_set', force=False)

_one = types.multi_params({'type': 'string'})
query = {'type': 'object', 'properties': {'user_id': _one}, 'additionalProperties': True}
query_v275 = dict(copy.deepcopy(query), additionalProperties=False)
