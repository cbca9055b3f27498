"""Request schemas of /os-security-groups and /os-security-group-rules (to 2.35).

As in Nova these legacy proxies take extra keys; names keep their spaces
(the group service checks length and characters and names what is wrong).
"""
from nova.api.openstack import parameter_types as types

_text = {'type': ['string', 'null'], 'maxLength': 255}
_port = {'type': ['integer', 'string', 'null']}
_group_id = {'type': ['string', 'integer']}


def _body(key, properties, required=()):
    inner = {'type': 'object', 'properties': properties}
    if required:
        inner['required'] = list(required)
    return {'type': 'object', 'properties': {key: inner}, 'required': [key]}


create = _body('security_group', {'name': {'type': 'string', 'maxLength': 255},
                                  'description': _text}, required=['name'])
update = _body('security_group', {'name': {'type': 'string', 'maxLength': 255},
                                  'description': _text})
create_rule = _body('security_group_rule', {
    'parent_group_id': _group_id, 'ip_protocol': {'type': ['string', 'null']},
    'from_port': _port, 'to_port': _port, 'cidr': _text,
    'group_id': {'type': ['string', 'integer', 'null']}}, required=['parent_group_id'])

index_query = {
    'type': 'object',
    'properties': {'all_tenants': types.multi_params({'type': 'string'}),
                   'limit': types.multi_params(types.non_negative_integer),
                   'offset': types.multi_params(types.non_negative_integer)},
}
