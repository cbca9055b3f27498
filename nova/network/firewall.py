"""Security groups enforced on compute hosts (--firewall_driver).

The compute host hands the driver what its instances may receive, as plain
data built from the database (``security_groups.firewall_specs``)::

    [{'id': 12, 'uuid': ..., 'ips': ['10.0.0.3'],          # the instance's fixed IPs
      'dhcp_servers': ['10.0.0.1'], 'networks': ['10.0.0.0/24'],
      'rules': [{'protocol': 'tcp', 'from_port': 22, 'to_port': 22,
                 'sources': ['0.0.0.0/0']}]}]              # CIDRs, source groups resolved

``IptablesFirewallDriver`` turns it into the whole filter table of the
``nova-compute-*`` chains (a chain per instance: drop invalid, accept
established/related and DHCP, the same network when --allow_same_net_traffic,
each rule, then drop) and applies it with one iptables-restore: rules change
on running instances atomically. ``NoopFirewallDriver`` (the embedded
default) changes nothing on the host.
"""
import logging

from nova import utils
from nova.conf import CONF
from nova.network import iptables

LOG = logging.getLogger(__name__)


class NoopFirewallDriver:
    """Leaves the host alone; security groups are recorded, not enforced."""

    enforces = False

    def apply(self, specs):
        pass


class IptablesFirewallDriver:
    """One chain per instance in the filter table, rebuilt whole on every change."""

    enforces = True

    @staticmethod
    def chain_name(spec):
        return 'inst-%s' % spec['id']

    def table(self, specs):
        table = iptables.Table('compute', 'filter')
        local = table.chain('local', jump_from='FORWARD')
        for spec in specs:
            chain = table.chain(self.chain_name(spec))
            for ip in spec['ips']:
                table.add(local, '-d %s/32 -j %s' % (ip, chain))
            for rule in self.instance_rules(spec):
                table.add(chain, rule)
        return table

    @staticmethod
    def instance_rules(spec):
        rules = ['-m conntrack --ctstate INVALID -j DROP',
                 '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']
        rules += ['-s %s/32 -p udp -m udp --sport 67 --dport 68 -j ACCEPT' % server
                  for server in spec['dhcp_servers']]
        if CONF.allow_same_net_traffic:
            rules += ['-s %s -j ACCEPT' % cidr for cidr in spec['networks']]
        for rule in spec['rules']:
            match = _protocol_match(rule)
            rules += ['-s %s %s-j ACCEPT' % (source, match) for source in rule['sources']]
        rules.append('-j DROP')
        return rules

    def apply(self, specs):
        iptables.apply(self.table(specs))


def _protocol_match(rule):
    protocol = rule['protocol']
    if protocol in ('tcp', 'udp'):
        low, high = rule['from_port'], rule['to_port']
        ports = str(low) if low == high else '%d:%d' % (low, high)
        return '-p %s -m %s --dport %s ' % (protocol, protocol, ports)
    if protocol == 'icmp':
        kind, code = rule['from_port'], rule['to_port']
        if kind == -1:
            return '-p icmp '
        return '-p icmp -m icmp --icmp-type %s ' % (kind if code == -1 else '%d/%d' % (kind,
                                                                                      code))
    return ''


def load_firewall_driver():
    return utils.import_object(CONF.firewall_driver)
