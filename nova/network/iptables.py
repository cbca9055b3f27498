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

A chain named after a digest of its rules (``content_named``) holds what its
name says: when it exists already, ``apply_changes`` leaves it out of the
restore (iptables-restore parses every rule it is given, about 0.1 ms each).
"""
import logging

from nova import exception
from nova.i18n import _LW
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
        self.content_named = set()  # chains whose name says what they hold

    def chain(self, name, jump_from=None, content_named=False):
        """Our chain ``nova-<owner>-<name>`` (made empty if new); jumped to from the
        built-in chain ``jump_from``. content_named: the name is a digest of the
        rules the caller puts in it."""
        full = 'nova-%s-%s' % (self.owner, name)
        self.chains.setdefault(full, [])
        if content_named:
            self.content_named.add(full)
        if jump_from and (jump_from, full) not in self.jumps:
            self.jumps.append((jump_from, full))
        return full

    def add(self, chain, rule):
        """Append rule (an iptables argument string without -A CHAIN) to our chain."""
        self.chains[chain].append(rule)

    def restore_input(self, existing_jumps=(), existing_chains=(), rewrite_all=True):
        """The iptables-restore --noflush text of this table: jumps already there are
        skipped, our chains no longer wanted (an instance gone) are deleted, and
        unless rewrite_all the content-named chains that exist are left as they are."""
        prefix = 'nova-%s-' % self.owner
        existing_chains = set(existing_chains)
        stale = sorted(c for c in existing_chains
                       if c.startswith(prefix) and c not in self.chains)
        written = [c for c in self.chains if rewrite_all or c not in self.content_named
                   or c not in existing_chains]
        lines = ['*%s' % self.table]
        lines += [':%s - [0:0]' % chain for chain in written + stale]
        for builtin, chain in self.jumps:
            if (builtin, chain) not in existing_jumps:
                lines.append('-I %s -j %s' % (builtin, chain))
        for chain in written:
            lines += ['-A %s %s' % (chain, rule) for rule in self.chains[chain]]
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
        _restore(table, *existing(table.table))


def _restore(table, jumps, chains, rewrite_all=True):
    text = table.restore_input(jumps, chains, rewrite_all=rewrite_all)
    linux_net.execute('iptables-restore', '--noflush', input=text)
    LOG.debug('Applied table %s: %d rules, %d lines restored', table.table,
              table.rule_count(), text.count('\n'))


class Applier:
    """Applies successive versions of one owner's table, restoring only what changed.

    The first apply reads the table (iptables-save) and rewrites every chain of
    the owner; later ones trust what the previous one left (this process owns
    these chains) and skip both the save and the content-named chains already
    there. Should that trust be wrong (a chain deleted behind its back), the
    restore fails and is done again the first way.
    """

    def __init__(self):
        self._applied = None  # (jumps, chains) the last apply left

    def apply(self, table):
        if self._applied is not None:
            try:
                _restore(table, *self._applied, rewrite_all=False)
                self._applied = (set(table.jumps), set(table.chains))
                return
            except exception.ProcessExecutionError:
                LOG.warning(_LW('Table %s was changed behind our back: rewriting it'), table.table)
        self._applied = None
        _restore(table, *existing(table.table))
        self._applied = (set(table.jumps), set(table.chains))
