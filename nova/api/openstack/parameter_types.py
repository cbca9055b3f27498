"""Schema fragments shared by the request schemas (Nova's parameter types)."""
import copy

boolean = {
    'type': ['boolean', 'string'],
    'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
             False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'],
}

positive_integer = {
    'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 1, 'minLength': 1,
}

non_negative_integer = {
    'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 0, 'minLength': 1,
}

name = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name'}

description = {'type': ['string', 'null'], 'minLength': 0, 'maxLength': 255}

uuid = {'type': 'string', 'format': 'uuid'}

image_id = {'type': 'string', 'format': 'uuid'}

image_id_or_empty_string = {'oneOf': [{'type': 'string', 'format': 'uuid'},
                                      {'type': 'string', 'maxLength': 0}]}

flavor_ref = {'type': ['string', 'integer'], 'minLength': 1}

admin_password = {'type': 'string'}  # any string: the password policy is the guest's

accessIPv4 = {'type': 'string', 'format': 'ipv4'}
accessIPv6 = {'type': 'string', 'format': 'ipv6'}
ip_address = {'oneOf': [accessIPv4, accessIPv6]}

metadata = {
    'type': 'object',
    'patternProperties': {
        '^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}

tag = {'type': 'string', 'minLength': 1, 'maxLength': 60, 'pattern': '^[^,/]*$'}

tags = {'type': 'array', 'items': tag, 'maxItems': 50}

# 2.90: a hostname label; 2.94: a fully qualified name
hostname = {'type': 'string', 'minLength': 2, 'maxLength': 63,
            'pattern': '^[a-zA-Z0-9-._]*$'}
fqdn = {'type': 'string', 'minLength': 2, 'maxLength': 255,
        'pattern': '^[a-zA-Z0-9-._]*$'}

disk_config = {'type': 'string', 'enum': ['AUTO', 'MANUAL']}

personality = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {'path': {'type': 'string'},
                       'contents': {'type': 'string', 'format': 'base64'}},
        'additionalProperties': False,
    },
}

user_data = {'type': 'string', 'format': 'base64', 'maxLength': 65535}
user_data_or_null = {'oneOf': [user_data, {'type': 'null'}]}

trusted_certs = {
    'type': ['array', 'null'], 'minItems': 1, 'maxItems': 50, 'uniqueItems': True,
    'items': {'type': 'string', 'minLength': 1},
}


def multi_params(schema):
    """A query parameter: the list of its values, each matching schema."""
    return {'type': 'array', 'items': schema}


def extended(schema, path, **properties):
    """A deep copy of schema with properties added to the object at path (a key list)."""
    schema = copy.deepcopy(schema)
    node = schema
    for key in path:
        node = node['properties'][key]
    node['properties'].update(copy.deepcopy(properties))
    return schema


def without(schema, path, *names):
    """A deep copy of schema without the named properties of the object at path."""
    schema = copy.deepcopy(schema)
    node = schema
    for key in path:
        node = node['properties'][key]
    for name_ in names:
        node['properties'].pop(name_, None)
    return schema
