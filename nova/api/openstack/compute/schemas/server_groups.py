"""Request schemas of /os-server-groups, per microversion."""
import copy

from nova.api.openstack import parameter_types as types

create = {
    'type': 'object',
    'properties': {
        'server_group': {
            'type': 'object',
            'properties': {
                'name': types.name,
                'policies': {
                    'type': 'array',
                    'items': [{'type': 'string', 'enum': ['anti-affinity', 'affinity']}],
                    'uniqueItems': True, 'minItems': 1, 'maxItems': 1,
                    'additionalItems': False,
                },
            },
            'required': ['name', 'policies'],
            'additionalProperties': False,
        },
    },
    'required': ['server_group'],
    'additionalProperties': False,
}

# 2.15: the soft policies
create_v215 = copy.deepcopy(create)
create_v215['properties']['server_group']['properties']['policies']['items'][0]['enum'] += [
    'soft-anti-affinity', 'soft-affinity']

# 2.64: one policy and its rules
create_v264 = copy.deepcopy(create)
create_v264['properties']['server_group'] = {
    'type': 'object',
    'properties': {
        'name': types.name,
        'policy': {'type': 'string', 'enum': ['anti-affinity', 'affinity',
                                              'soft-anti-affinity', 'soft-affinity']},
        'rules': {
            'type': 'object',
            'properties': {'max_server_per_host': types.positive_integer},
            'additionalProperties': False,
        },
    },
    'required': ['name', 'policy'],
    'additionalProperties': False,
}

index_query = {
    'type': 'object',
    'properties': {'all_projects': types.multi_params({'type': 'string'}),
                   'limit': types.multi_params(types.non_negative_integer),
                   'offset': types.multi_params(types.non_negative_integer)},
    'additionalProperties': True,
}
index_query_v275 = dict(index_query, additionalProperties=False)
