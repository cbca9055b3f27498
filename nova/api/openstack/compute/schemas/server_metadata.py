"""Request schemas of /servers/{id}/metadata."""
import copy

from nova.api.openstack import parameter_types as types

create = {
    'type': 'object',
    'properties': {'metadata': types.metadata},
    'required': ['metadata'],
    'additionalProperties': False,
}

update_all = copy.deepcopy(create)

_one_item = dict(copy.deepcopy(types.metadata), minProperties=1, maxProperties=1)
update = {
    'type': 'object',
    'properties': {'meta': _one_item},
    'required': ['meta'],
    'additionalProperties': False,
}
