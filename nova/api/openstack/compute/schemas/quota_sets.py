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


def _update(removed=()):
    properties = {name: _limit for name in quota.RESOURCES if name not in removed}
    properties['force'] = types.boolean
    return {
        'type': 'object',
        'properties': {
            'quota_set': {'type': 'object', 'properties': copy.deepcopy(properties),
                          'additionalProperties': False},
        },
        'required': ['quota_set'],
        'additionalProperties': False,
    }


update = _update()
update_v236 = _update(REMOVED_V236)
update_v257 = _update(REMOVED_V257)

_one = types.multi_params({'type': 'string'})
query = {'type': 'object', 'properties': {'user_id': _one}, 'additionalProperties': True}
query_v275 = dict(copy.deepcopy(query), additionalProperties=False)
