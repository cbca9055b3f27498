"""Ingress rules as nova.network.security_groups stores them: protocols, ports,
CIDRs, and the refusals that name what is wrong."""
import pytest

from nova import exception
from nova.network import security_groups as sg


@pytest.mark.parametrize('args, expected', [
    (('tcp', 22, 22), ('tcp', 22, 22)),
    (('6', '80', '443'), ('tcp', 80, 443)),
    (('UDP', 53, 53), ('udp', 53, 53)),
    (('icmp', None, None), ('icmp', -1, -1)),
    (('icmp', 8, 0), ('icmp', 8, 0)),
    (('-1', None, None), ('-1', -1, -1)),
    (('all', 1, 2), ('-1', -1, -1)),
])
def test_protocols_and_ports(args, expected):
    rule = sg.validate_rule(*args, cidr='10.0.0.0/8')
    assert (rule['protocol'], rule['from_port'], rule['to_port']) == expected
    assert rule['cidr'] == '10.0.0.0/8' and rule['source_group_uuid'] == ''


def test_cidr_is_normalised():
    assert sg.validate_rule('tcp', 1, 2, cidr='10.1.2.3/8')['cidr'] == '10.0.0.0/8'
    assert sg.validate_rule('tcp', 1, 2, cidr='2001:db8::1/32')['cidr'] == '2001:db8::/32'


@pytest.mark.parametrize('args, kwargs, words', [
    (('gre', 1, 2), {'cidr': '0.0.0.0/0'}, 'protocol'),
    (('tcp', None, 22), {'cidr': '0.0.0.0/0'}, 'from port'),
    (('tcp', 'x', 22), {'cidr': '0.0.0.0/0'}, 'integer'),
    (('tcp', 70000, 70000), {'cidr': '0.0.0.0/0'}, 'between 0 and 65535'),
    (('tcp', 90, 80), {'cidr': '0.0.0.0/0'}, 'greater than'),
    (('icmp', 300, 0), {'cidr': '0.0.0.0/0'}, 'icmp type'),
    (('tcp', 1, 2), {'cidr': 'ten/8'}, 'not a CIDR'),
    (('tcp', 1, 2), {}, 'either a CIDR or a source group'),
    (('tcp', 1, 2), {'cidr': '0.0.0.0/0', 'source_group_uuid': 'u'}, 'either'),
])
def test_bad_rules_say_what_is_wrong(args, kwargs, words):
    with pytest.raises(exception.InvalidInput) as raised:
        sg.validate_rule(*args, **kwargs)
    assert words in raised.value.format_message()
