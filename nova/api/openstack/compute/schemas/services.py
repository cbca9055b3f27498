"""Request schemas of /os-services."""
from nova.api.openstack import parameter_types as types

_reason = {'type': 'string', 'minLength': 1, 'maxLength': 255}

# PUT /os-services/{enable,disable,disable-log-reason,force-down} (before 2.53)
service_update = {
    'type': 'object',
    'properties': {'host': types.name, 'binary': types.name, 'disabled_reason': _reason},
    'required': ['host', 'binary'],
    'additionalProperties': False,
}
service_update_v211 = types.extended(service_update, (), forced_down=types.boolean)

# PUT /os-services/{service_uuid} (2.53)
service_update_v253 = {
    'type': 'object',
    'properties': {'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
                   'disabled_reason': _reason,
                   'forced_down': types.boolean},
    'additionalProperties': False,
}

index_query = {
    'type': 'object',
    'properties': {'host': types.multi_params({'type': 'string'}),
                   'binary': types.multi_params({'type': 'string'})},
    'additionalProperties': True,
}
index_query_v275 = dict(index_query, additionalProperties=False)
