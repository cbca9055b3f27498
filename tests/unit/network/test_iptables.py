"""The NAT table a network host applies, as the iptables-restore text it sends."""
import types

from nova import exception
from nova.conf import CONF
from nova.network import iptables, manager


def _network(cidr, bridge='br100'):
    return types.SimpleNamespace(cidr=cidr, bridge=bridge, segment_type='flat')


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
        '-i br100 -o br100 -j ACCEPT', '-i br100 -j ACCEPT', '-o br100 -j ACCEPT']


def _spec(id, ip, groups, dhcp='10.0.0.1', network='10.0.0.0/24'):
    return {'id': id, 'uuid': 'u%d' % id, 'ips': [ip], 'dhcp_servers': [dhcp],
            'networks': [network], 'groups': groups}


SSH = {'protocol': 'tcp', 'from_port': 22, 'to_port': 22, 'sources': ['0.0.0.0/0']}


def test_security_group_chains_of_an_instance():
    from nova.network import firewall
    CONF.set_override('allow_same_net_traffic', False)
    spec = _spec(7, '10.0.0.3', [
        [SSH, {'protocol': 'udp', 'from_port': 1000, 'to_port': 2000,
               'sources': ['10.0.0.4/32', '10.0.0.5/32']}],
        [{'protocol': 'icmp', 'from_port': 8, 'to_port': -1, 'sources': ['192.0.2.0/24']},
         {'protocol': '-1', 'from_port': -1, 'to_port': -1, 'sources': []}],
        []])
    table = firewall.IptablesFirewallDriver().table([spec])
    [jump] = table.chains['nova-compute-local']
    profile = jump.split()[-1]
    assert jump == '-d 10.0.0.3/32 -j %s' % profile
    rules = table.chains[profile]
    assert table.chains[rules[0].split()[-1]] == [
        '-m conntrack --ctstate INVALID -j DROP',
        '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-s 10.0.0.1/32 -p udp -m udp --sport 67 --dport 68 -j ACCEPT']
    assert rules[-1] == '-j DROP' and len(rules) == 4  # the empty group jumps nowhere
    first, second = [table.chains[r.split()[-1]] for r in rules[1:3]]
    assert first == ['-s 0.0.0.0/0 -p tcp -m tcp --dport 22 -j ACCEPT',
                     '-s 10.0.0.4/32 -p udp -m udp --dport 1000:2000 -j ACCEPT',
                     '-s 10.0.0.5/32 -p udp -m udp --dport 1000:2000 -j ACCEPT']
    # a source group without members allows nothing
    assert second == ['-s 192.0.2.0/24 -p icmp -m icmp --icmp-type 8 -j ACCEPT']
    # one group of rules: in the profile itself
    table = firewall.IptablesFirewallDriver().table([_spec(8, '10.0.0.4', [[SSH], []])])
    [single] = table.chains['nova-compute-local']
    assert table.chains[single.split()[-1]][1:] == [
        '-s 0.0.0.0/0 -p tcp -m tcp --dport 22 -j ACCEPT', '-j DROP']
    assert all(len(name) <= 28 for name in table.chains)  # iptables' limit
    CONF.set_override('allow_same_net_traffic', True)
    assert '-s 10.0.0.0/24 -j ACCEPT' in firewall.IptablesFirewallDriver.base_rules(spec)


def test_instances_alike_share_their_chains():
    from nova.network import firewall
    web = [SSH, {'protocol': 'tcp', 'from_port': 80, 'to_port': 80, 'sources': ['0.0.0.0/0']}]
    specs = [_spec(i, '10.0.0.%d' % (i + 2), [[SSH], web]) for i in range(50)]
    specs.append(_spec(99, '10.1.0.2', [web], dhcp='10.1.0.1', network='10.1.0.0/24'))
    table = firewall.IptablesFirewallDriver().table(specs)
    # local, a base per network, a profile per (groups, networks), a chain per group
    # of instances in several
    assert len(table.chains) == 1 + 2 + 2 + 2
    assert len(table.chains['nova-compute-local']) == 51
    assert table.rule_count() < 51 + 20


def test_a_rebuild_restores_only_what_changed():
    from nova.network import firewall
    driver = firewall.IptablesFirewallDriver()
    before = driver.table([_spec(1, '10.0.0.2', [[SSH]])])
    after = driver.table([_spec(1, '10.0.0.2', [[SSH]]), _spec(2, '10.0.0.3', [[SSH]]),
                          _spec(3, '10.0.0.4', [[]])])
    existing = set(before.chains)
    text = after.restore_input({('FORWARD', 'nova-compute-local')}, existing,
                               rewrite_all=False)
    declared = {line[1:].split()[0] for line in text.splitlines() if line.startswith(':')}
    # the shared chains already there are not restored again; local and the new are
    assert declared == {'nova-compute-local'} | (set(after.chains) - existing)
    assert len(declared) == 2
    assert declared == {line.split()[1] for line in text.splitlines()
                        if line.startswith('-A')}
    full = after.restore_input({('FORWARD', 'nova-compute-local')}, existing)
    assert full.count(':nova-compute-') == len(after.chains)


def test_chains_of_instances_gone_are_deleted():
    table = iptables.Table('compute', 'filter')
    table.chain('local', jump_from='FORWARD')
    text = table.restore_input({('FORWARD', 'nova-compute-local')},
                               ['INPUT', 'nova-compute-local', 'nova-compute-inst-3',
                                'nova-network-FORWARD'])
    assert ':nova-compute-inst-3 - [0:0]' in text and '-X nova-compute-inst-3' in text
    assert 'nova-network-FORWARD' not in text  # another owner's chains are left alone


def test_projects_bridges_are_not_routed_into_each_other():
    networks = [types.SimpleNamespace(cidr='10.1.0.0/24', bridge='br101', segment_type='vxlan'),
                types.SimpleNamespace(cidr='10.2.0.0/24', bridge='br102', segment_type='vxlan')]
    _nat, filter_table = manager.LinuxNetworkManager.nat_tables(networks, [])
    assert filter_table.chains['nova-network-FORWARD'] == [
        '-i br101 -o br101 -j ACCEPT', '-i br101 -o br102 -j DROP',
        '-i br102 -o br102 -j ACCEPT', '-i br102 -o br101 -j DROP',
        '-i br101 -j ACCEPT', '-o br101 -j ACCEPT', '-i br102 -j ACCEPT',
        '-o br102 -j ACCEPT']


def test_applier_reads_the_table_once_and_again_after_a_failed_restore(monkeypatch):
    from nova.network import linux_net
    calls = []
    fail = []

    def execute(*cmd, input=None, check=True):
        calls.append(cmd[0])
        if cmd[0] == 'iptables-restore' and fail:
            fail.pop()
            raise exception.ProcessExecutionError(cmd=cmd[0], exit_code=1, stderr='gone')
        return ('*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n' if cmd[0] == 'iptables-save'
                else ''), ''
    monkeypatch.setattr(linux_net, 'execute', execute)
    applier = iptables.Applier()
    table = iptables.Table('compute', 'filter')
    table.chain('local', jump_from='FORWARD')
    applier.apply(table)
    applier.apply(table)
    assert calls == ['iptables-save', 'iptables-restore', 'iptables-restore']
    del calls[:]
    fail.append(True)  # someone deleted a chain: the incremental restore fails
    applier.apply(table)
    assert calls == ['iptables-restore', 'iptables-save', 'iptables-restore']
