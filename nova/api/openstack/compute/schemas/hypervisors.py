"""Query schemas of /os-hypervisors."""
from nova.api.openstack import parameter_types as types

_string = types.multi_params({'type': 'string'})

list_query_v233 = {
    'type': 'object',
    'properties': {'limit': types.multi_params(types.non_negative_integer),
                   'marker': _string},
    'additionalProperties': True,
}
list_query_v253 = {
    'type': 'object',
    'properties': {'limit': types.multi_params(types.non_negative_integer),
                   'marker': _string,
                   'hypervisor_hostname_pattern': types.multi_params(
                       {'type': 'string', 'minLength': 1, 'maxLength': 255}),
                   'with_servers': types.multi_params(types.boolean)},
    'additionalProperties': False,
}
show_query_v253 = {
    'type': 'object',
    'properties': {'with_servers': types.multi_params(types.boolean)},
    'additionalProperties': False,
}
