"""The server view's addresses from interface rows match those of network_info."""
import types

from nova.network import model

_NETWORK = dict(cidr='10.0.0.0/24', gateway='10.0.0.1', dns1='8.8.8.8', dns2=None,
                dhcp_server='10.0.0.1', enable_dhcp=True, gateway_v6=None, bridge='br100',
                bridge_interface=None, segment_type=None, vlan=None, multi_host=False,
                mtu=None)


def _network(label, cidr_v6=None):
    return types.SimpleNamespace(**_NETWORK, uuid='net-' + label, label=label, cidr_v6=cidr_v6)


# (interface id, network, mac, [(fixed, [floating])]) in interface and address order
INTERFACES = [
    (1, _network('private', 'fd00::/64'), 'fa:16:3e:00:00:01',
     [('fd00::5', []), ('10.0.0.3', ['172.24.4.3', '172.24.4.9']), ('10.0.0.4', [])]),
    (2, _network('public'), 'fa:16:3e:00:00:02', [('10.0.1.7', ['2001:db8::7'])]),
    (3, _network('empty'), 'fa:16:3e:00:00:03', []),
    (4, _network('private', 'fd00::/64'), 'fa:16:3e:00:00:04', [('fd00::9', [])]),
    (5, _network('v4only'), 'fa:16:3e:00:00:05', [('fd01::1', []), ('10.0.2.2', [])]),
]


def _network_info():
    return [model.vif_dict('vif-%d' % vif_id, mac, model.network_dict(
        network, [fixed for fixed, _ in addresses], dict(addresses)))
        for vif_id, network, mac, addresses in INTERFACES]


def _rows():
    """As the SELECT gives them: one row per floating address (or per fixed one
    without any), None where an outer join found nothing."""
    return [(vif_id, network.label, mac, network.cidr_v6 is not None, fixed, floating)
            for vif_id, network, mac, addresses in INTERFACES
            for fixed, floatings in (addresses or [(None, [])])
            for floating in (floatings or [None])]


def test_addresses_from_rows_are_those_of_network_info():
    for extended in (True, False):
        assert model.addresses_from_rows(_rows(), extended) == model.addresses(
            _network_info(), extended)
    shown = model.addresses_from_rows(_rows())
    assert [(e['addr'], e['OS-EXT-IPS:type'], e['version']) for e in shown['private']] == [
        ('10.0.0.3', 'fixed', 4), ('172.24.4.3', 'floating', 4),
        ('172.24.4.9', 'floating', 4), ('10.0.0.4', 'fixed', 4), ('fd00::5', 'fixed', 6),
        ('fd00::9', 'fixed', 6)]
    assert shown['public'][1] == {'version': 6, 'addr': '2001:db8::7',
                                  'OS-EXT-IPS:type': 'floating',
                                  'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:02'}
    assert shown['empty'] == [] and [e['addr'] for e in shown['v4only']] == ['10.0.2.2']
    assert model.addresses_from_rows([]) == model.addresses([]) == {}
