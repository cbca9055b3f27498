"""Request schemas of /flavors, flavor extra specs and flavor access."""
import copy

from nova.api.openstack import parameter_types as types
from nova.compute import flavors

SORT_KEYS = ['created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id',
             'is_public', 'memory_mb', 'name', 'root_gb', 'rxtx_factor', 'swap',
             'updated_at', 'vcpu_weight', 'vcpus']

_positive = {'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 1,
             'maximum': flavors.MAX_INT}
_non_negative = {'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 0,
                 'maximum': flavors.MAX_INT}

create = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {
                'name': types.name,
                # a string, a number (many tools send one) or null (a UUID is made)
                'id': {'type': ['string', 'number', 'null'], 'minLength': 1,
                       'maxLength': 255, 'pattern': '^(?! )[a-zA-Z0-9. _-]+(?<! )$'},
                'ram': _positive,
                'vcpus': _positive,
                'disk': _non_negative,
                'OS-FLV-EXT-DATA:ephemeral': _non_negative,
                'swap': _non_negative,
                'rxtx_factor': {'type': ['number', 'string'],
                                'pattern': r'^[0-9]+(\.[0-9]+)?$',
                                'minimum': 0, 'exclusiveMinimum': True,
                                'maximum': flavors.MAX_FLOAT},
                'os-flavor-access:is_public': types.boolean,
            },
            'required': ['name', 'ram', 'vcpus', 'disk'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}

_description = {'type': ['string', 'null'], 'minLength': 0, 'maxLength': 65535,
                'pattern': r'^[^\x00-\x1f\x7f]*$'}
create_v255 = types.extended(create, ['flavor'], description=_description)

update = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {'description': _description},
            'required': ['description'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}

_one = types.multi_params({'type': 'string'})
index_query = {
    'type': 'object',
    'properties': {
        'sort_key': types.multi_params({'type': 'string', 'enum': SORT_KEYS}),
        'sort_dir': types.multi_params({'type': 'string', 'enum': ['asc', 'desc']}),
        'is_public': _one, 'minRam': _one, 'minDisk': _one, 'limit': _one, 'marker': _one,
    },
    'additionalProperties': True,
}
index_query_v275 = dict(copy.deepcopy(index_query), additionalProperties=False)

# ------------------------------------------------------------ extra specs
_spec_value = {'type': ['string', 'number', 'boolean'], 'minLength': 0, 'maxLength': 255}
_spec_key = '^[a-zA-Z0-9-_:. ]{1,255}$'

extra_specs_create = {
    'type': 'object',
    'properties': {
        'extra_specs': {'type': 'object', 'patternProperties': {_spec_key: _spec_value},
                        'additionalProperties': False},
    },
    'required': ['extra_specs'],
    'additionalProperties': False,
}

extra_spec_update = {
    'type': 'object',
    'patternProperties': {_spec_key: _spec_value},
    'minProperties': 1, 'maxProperties': 1,
    'additionalProperties': False,
}

# ------------------------------------------------------------ access actions
_tenant = {'type': 'object',
           'properties': {'tenant': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
           'required': ['tenant'], 'additionalProperties': False}
add_tenant_access = {'type': 'object', 'properties': {'addTenantAccess': _tenant},
                     'required': ['addTenantAccess'], 'additionalProperties': False}
remove_tenant_access = {'type': 'object', 'properties': {'removeTenantAccess': _tenant},
                        'required': ['removeTenantAccess'], 'additionalProperties': False}
