"""Security groups enforced on compute hosts (--firewall_driver).

The compute host hands the driver what its instances may receive, as plain
data built from the database (``security_groups.firewall_specs``)::

    [{'id': 12, 'uuid': ..., 'ips': ['10.0.0.3'],          # the instance's fixed IPs
      'dhcp_servers': ['10.0.0.1'], 'networks': ['10.0.0.0/24'],
      'groups': [[{'protocol': 'tcp', 'from_port': 22, 'to_port': 22,
                   'sources': ['0.0.0.0/0']}]]}]           # each group's rules, sources
                                                           # resolved to CIDRs

``IptablesFirewallDriver`` turns it into the filter table of the
``nova-compute-*`` chains and applies it with one iptables-restore, so rules
change on running instances atomically. What an instance may receive is
shared by every instance like it, so the chains are too (iptables-restore
costs about 0.1 ms per rule: a chain per instance made 11,000 rules for
1,000 instances with 5 rules each):

- ``nova-compute-local`` (jumped to from FORWARD): one rule per fixed IP,
  to the chain of the instance's profile;
- ``nova-compute-p<hash>``, a profile: a jump to its base chain, then its
  group's rules (or, with several groups, a jump to each group's chain), then
  drop; instances with the same groups on the same networks share it;
- ``nova-compute-b<hash>``, a base: drop invalid, accept established/related
  and DHCP from the networks' servers, and the networks themselves when
  --allow_same_net_traffic; shared by the profiles on the same networks;
- ``nova-compute-g<hash>``, the rules of a group (accept) of instances in
  several groups, shared by every profile with that group.

The hashes name a chain by its content, so an unchanged chain keeps its name
and a rebuild only rewrites ``local`` and the chains that are new
(``iptables.Applier``); the first apply of a process rewrites
them all. ``NoopFirewallDriver`` (the embedded default) changes nothing.
"""
import hashlib
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


def _content_name(kind, rules):
    """A chain name (within iptables' 28 characters) that is a digest of its rules."""
    digest = hashlib.sha1('\n'.join(rules).encode()).hexdigest()[:12]
    return '%s%s' % (kind, digest)


class IptablesFirewallDriver:
    """Shared profile and group chains, rebuilt from the specs on every change."""

    enforces = True

    def __init__(self):
        self._applier = iptables.Applier()

    def table(self, specs):
        table = iptables.Table('compute', 'filter')
        local = table.chain('local', jump_from='FORWARD')
        for spec in specs:
            profile = self._profile_chain(table, spec)
            for ip in spec['ips']:
                table.add(local, '-d %s/32 -j %s' % (ip, profile))
        return table

    def _profile_chain(self, table, spec):
        rules = ['-j %s' % self._shared_chain(table, 'b', self.base_rules(spec))]
        groups = [accepts for accepts in map(group_accepts, spec['groups'])
                  if accepts]  # a group without rules (or sources) allows nothing
        if len(groups) == 1:
            rules += groups[0]
        else:
            rules += ['-j %s' % self._shared_chain(table, 'g', accepts) for accepts in groups]
        rules.append('-j DROP')
        return self._shared_chain(table, 'p', rules)

    @staticmethod
    def _shared_chain(table, kind, rules):
        name = _content_name(kind, rules)
        full = table.chain(name, content_named=True)
        if not table.chains[full]:
            for rule in rules:
                table.add(full, rule)
        return full

    @staticmethod
    def base_rules(spec):
        """What every instance accepts before its groups' rules."""
        rules = ['-m conntrack --ctstate INVALID -j DROP',
                 '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']
        rules += ['-s %s/32 -p udp -m udp --sport 67 --dport 68 -j ACCEPT' % server
                  for server in spec['dhcp_servers']]
        if CONF.allow_same_net_traffic:
            rules += ['-s %s -j ACCEPT' % cidr for cidr in spec['networks']]
        return rules

    def apply(self, specs):
        self._applier.apply(self.table(specs))


def group_accepts(rules):
    """The ACCEPT rules of one group's rules."""
    accepts = []
    for rule in rules:
        match = _protocol_match(rule)
        accepts += ['-s %s %s-j ACCEPT' % (source, match) for source in rule['sources']]
    return accepts


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
