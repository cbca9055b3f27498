"""Request schemas of /servers/{id}/tags (2.26)."""
from nova.api.openstack import parameter_types as types

update_all = {
    'type': 'object',
    'properties': {'tags': types.tags},
    'required': ['tags'],
    'additionalProperties': False,
}
