"""Request schemas of /os-aggregates."""
import copy

from nova.api.openstack import parameter_types as types

_zone = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
         'pattern': '^[^:]*$'}  # "zone:host" is how a boot names a host

create = {
    'type': 'object',
    'properties': {
        'aggregate': {
            'type': 'object',
            'properties': {'name': types.name, 'availability_zone': _zone},
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['aggregate'],
    'additionalProperties': False,
}

update = copy.deepcopy(create)
del update['properties']['aggregate']['required']
update['properties']['aggregate']['minProperties'] = 1

_host = {
    'type': 'object',
    'properties': {'host': types.name},
    'required': ['host'],
    'additionalProperties': False,
}

add_host = {
    'type': 'object',
    'properties': {'add_host': _host},
    'required': ['add_host'],
    'additionalProperties': False,
}

remove_host = {
    'type': 'object',
    'properties': {'remove_host': _host},
    'required': ['remove_host'],
    'additionalProperties': False,
}

set_metadata = {
    'type': 'object',
    'properties': {
        'set_metadata': {
            'type': 'object',
            'properties': {
                'metadata': {
                    'type': 'object',
                    'patternProperties': {
                        '^[a-zA-Z0-9-_:. ]{1,255}$': {
                            'type': ['string', 'null'], 'maxLength': 255},
                    },
                    'additionalProperties': False,
                },
            },
            'required': ['metadata'],
            'additionalProperties': False,
        },
    },
    'required': ['set_metadata'],
    'additionalProperties': False,
}

# 2.81: POST /os-aggregates/{id}/images
cache_images = {
    'type': 'object',
    'properties': {
        'cache': {
            'type': 'array', 'minItems': 1,
            'items': {
                'type': 'object',
                'properties': {'id': types.uuid},
                'required': ['id'],
                'additionalProperties': False,
            },
        },
    },
    'required': ['cache'],
    'additionalProperties': False,
}
