"""iptables rules of a host, built whole and applied atomically with iptables-restore.

Nova owns chains named ``nova-<owner>-<name>`` (owner: ``network`` for NAT and
forwarding on network hosts, ``compute`` for the security group chains on
compute hosts). A ``Table`` holds every rule of the owner's chains; ``apply``
writes them in one ``iptables-restore --noflush`` per table: the owner's chains
are declared (so iptables-restore empties them) and filled again, the jumps
from the built-in chains are added once, and rules of anyone else are left
alone. Each table changes atomically (its COMMIT), so a packet never sees half
a rule set, and rebuilding from the database is the only way rules change:
nothing is edited rule by rule.
"""
import logging

from nova.network import linux_net

LOG = logging.getLogger(__name__)

BUILTIN = {'filter': ('INPUT', 'FORWARD', 'OUTPUT'),
           'nat': ('PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING')}


class Table:
    """The rules one owner wants in one table: {chain: [rule args]}, in order."""

    def __init__(self, owner, table):
        self.owner, self.table = owner, table
        self.chains = {}  # our chain name -> [rule]
        self.jumps = []  # (builtin chain, our chain), in order

    def chain(self, name, jump_from=None):
        """Our chain ``nova-<owner>-<name>`` (made empty if new); jumped to from the
        built-in chain ``jump_from``."""
        full = 'nova-%s-%s' % (self.owner, name)
        self.chains.setdefault(full, [])
        if jump_from and (jump_from, full) not in self.jumps:
            self.jumps.append((jump_from, full))
        return full

    def add(self, chain, rule):
        """Append rule (an iptables argument string without -A CHAIN) to our chain."""
        self.chains[chain].append(rule)

    def restore_input(self, existing_jumps=(), existing_chains=()):
        """The iptables-restore --noflush text of this table: jumps already there are
        skipped, and our chains no longer wanted (an instance gone) are deleted."""
        prefix = 'nova-%s-' % self.owner
        stale = [c for c in existing_chains if c.startswith(prefix) and c not in self.chains]
        lines = ['*%s' % self.table]
        lines += [':%s - [0:0]' % chain for chain in list(self.chains) + stale]
        for builtin, chain in self.jumps:
            if (builtin, chain) not in existing_jumps:
                lines.append('-I %s -j %s' % (builtin, chain))
        for chain, rules in self.chains.items():
            lines += ['-A %s %s' % (chain, rule) for rule in rules]
        lines += ['-X %s' % chain for chain in stale]
        lines.append('COMMIT')
        return '\n'.join(lines) + '\n'

    def rule_count(self):
        return sum(len(rules) for rules in self.chains.values())


def existing(table):
    """({(builtin chain, target)} of the plain jumps, [chain]) already in a table, from
    one iptables-save."""
    out, _ = linux_net.execute('iptables-save', '-t', table)
    jumps, chains = set(), []
    for line in out.splitlines():
        words = line.split()
        if len(words) == 4 and words[0] == '-A' and words[2] == '-j':
            jumps.add((words[1], words[3]))
        elif line.startswith(':'):
            chains.append(words[0][1:])
    return jumps, chains


def apply(*tables):
    """Replace the owner's chains of each table by what it holds now, atomically."""
    for table in tables:
        text = table.restore_input(*existing(table.table))
        linux_net.execute('iptables-restore', '--noflush', input=text)
        LOG.debug('Applied %d rules to table %s', table.rule_count(), table.table)
