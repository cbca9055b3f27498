"""Request schemas of /os-keypairs, per microversion."""
import copy

from nova.api.openstack import parameter_types as types

# names before 2.92: letters, digits, spaces, '_' and '-'; 2.92 adds '@' and '.'
_name = {'type': 'string', 'minLength': 1, 'maxLength': 255,
         'pattern': '^(?! )[a-zA-Z0-9 _-]+(?<! )$'}
_name_v292 = {'type': 'string', 'minLength': 1, 'maxLength': 255,
              'pattern': '^(?! )[a-zA-Z0-9 @._-]+(?<! )$'}

create = {
    'type': 'object',
    'properties': {
        'keypair': {
            'type': 'object',
            'properties': {'name': _name, 'public_key': {'type': 'string'}},
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['keypair'],
    'additionalProperties': False,
}

create_v22 = types.extended(create, ['keypair'],
                            type={'type': 'string', 'enum': ['ssh', 'x509']})
create_v210 = types.extended(create_v22, ['keypair'], user_id={'type': 'string'})
create_v292 = types.extended(create_v210, ['keypair'], name=_name_v292)
create_v292['properties']['keypair']['required'] = ['name', 'public_key']

_one = types.multi_params({'type': 'string'})
index_query_v210 = {'type': 'object', 'properties': {'user_id': _one},
                    'additionalProperties': True}
index_query_v235 = {'type': 'object',
                    'properties': {'user_id': _one, 'limit': _one, 'marker': _one},
                    'additionalProperties': True}
index_query_v275 = dict(copy.deepcopy(index_query_v235), additionalProperties=False)
show_query_v210 = {'type': 'object', 'properties': {'user_id': _one},
                   'additionalProperties': True}
show_query_v275 = dict(copy.deepcopy(show_query_v210), additionalProperties=False)
