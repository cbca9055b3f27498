"""Request schemas of the nova-network proxies (to 2.35) and the floating IP actions.

Values are only typed here; nova.network.api checks CIDRs, addresses, ranges
and names and says which field is wrong.
"""
from nova.api.openstack import parameter_types as types

_string = {'type': 'string', 'maxLength': 255}
_optional_string = {'type': ['string', 'null'], 'maxLength': 255}
_integer = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1}


def _wrapped(key, properties, required=()):
    inner = {'type': 'object', 'properties': properties, 'additionalProperties': False}
    if required:
        inner['required'] = list(required)
    return {'type': 'object', 'properties': {key: inner}, 'required': [key],
            'additionalProperties': False}


create_network = _wrapped('network', {
    'label': _string, 'cidr': _string, 'cidr_v6': _optional_string,
    'gateway': _optional_string, 'gateway_v6': _optional_string,
    'bridge': _optional_string, 'bridge_interface': _optional_string,
    'dns1': _optional_string, 'dns2': _optional_string, 'dhcp_start': _optional_string,
    'vlan': _integer, 'mtu': _integer, 'priority': _integer,
    'project_id': _optional_string, 'multi_host': types.boolean,
    'enable_dhcp': types.boolean,
}, required=['label', 'cidr'])

add_network = {
    'type': 'object', 'properties': {'id': {'type': ['string', 'null']}},
    'required': ['id'], 'additionalProperties': False,
}

network_action = {
    'type': 'object',
    'properties': {'disassociate': {'type': 'null'}, 'disassociate_host': {'type': 'null'},
                   'disassociate_project': {'type': 'null'},
                   'associate_host': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
    'minProperties': 1, 'maxProperties': 1, 'additionalProperties': False,
}

create_tenant_network = {
    'type': 'object',
    'properties': {'network': {
        'type': 'object',
        # Nova's extra keys (ipam, vlan_start, network_size, num_networks) are accepted
        # and have no effect: one network of the given CIDR is made
        'properties': {'label': _string, 'cidr': _string},
        'required': ['label', 'cidr'],
    }},
    'required': ['network'],
}

fixed_ip_action = {
    'type': 'object',
    'properties': {'reserve': {'type': 'null'}, 'unreserve': {'type': 'null'}},
    'minProperties': 1, 'maxProperties': 1, 'additionalProperties': False,
}

create_floating_ip = {
    'type': ['object', 'null'],
    'properties': {'pool': _optional_string},
}

floating_ips_bulk_create = _wrapped('floating_ips_bulk_create', {
    'ip_range': _string, 'pool': _string, 'interface': _string,
}, required=['ip_range'])

floating_ips_bulk_delete = {
    'type': 'object', 'properties': {'ip_range': _string}, 'required': ['ip_range'],
    'additionalProperties': False,
}

add_floating_ip = _wrapped('addFloatingIp', {
    'address': types.ip_address, 'fixed_address': types.ip_address,
}, required=['address'])

remove_floating_ip = _wrapped('removeFloatingIp', {'address': types.ip_address},
                              required=['address'])
