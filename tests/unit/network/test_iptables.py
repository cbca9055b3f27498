"""The NAT table a network host applies, as the iptables-restore text it sends."""
import types

from nova.conf import CONF
from nova.network import iptables, manager


def _network(cidr, bridge='br100'):
    return types.SimpleNamespace(cidr=cidr, bridge=bridge)


def test_restore_input_declares_our_chains_and_jumps_once():
    table = iptables.Table('network', 'nat')
    pre = table.chain('PREROUTING', jump_from='PREROUTING')
    table.add(pre, '-d 192.0.2.5/32 -j DNAT --to-destination 10.0.0.3')
    text = table.restore_input()
    assert text.splitlines() == [
        '*nat', ':nova-network-PREROUTING - [0:0]',
        '-I PREROUTING -j nova-network-PREROUTING',
        '-A nova-network-PREROUTING -d 192.0.2.5/32 -j DNAT --to-destination 10.0.0.3',
        'COMMIT']
    again = table.restore_input({('PREROUTING', 'nova-network-PREROUTING')})
    assert '-I PREROUTING' not in again  # already there: never a second jump


def test_network_host_nat_rules_in_order():
    CONF.set_override('metadata_host', '192.0.2.10')
    CONF.set_override('metadata_port', 8775)
    CONF.set_override('routing_source_ip', '192.0.2.10')
    nat, filter_table = manager.LinuxNetworkManager.nat_tables(
        [_network('10.0.0.0/24')], [('192.0.2.129', '10.0.0.3', None)])
    assert nat.chains['nova-network-PREROUTING'] == [
        '-d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j DNAT '
        '--to-destination 192.0.2.10:8775',
        '-d 192.0.2.129/32 -j DNAT --to-destination 10.0.0.3']
    assert nat.chains['nova-network-OUTPUT'] == [
        '-d 192.0.2.129/32 -j DNAT --to-destination 10.0.0.3']
    assert nat.chains['nova-network-POSTROUTING'] == [
        '-s 10.0.0.0/24 -d 192.0.2.10/32 -j ACCEPT',
        '-s 10.0.0.0/24 -d 10.0.0.0/24 -m conntrack ! --ctstate DNAT -j ACCEPT',
        '-s 10.0.0.3/32 -j SNAT --to-source 192.0.2.129',
        '-s 10.0.0.0/24 -j SNAT --to-source 192.0.2.10']
    assert filter_table.chains['nova-network-FORWARD'] == [
        '-i br100 -j ACCEPT', '-o br100 -j ACCEPT']
