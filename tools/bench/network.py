#!/usr/bin/env python3
"""nova-network's costs, printed (no assertions).

- alloc: allocate + deallocate pairs per second through the network API
  (nova-network's FlatManager in this process on the in-process transport,
  SQLite in a temp dir), one instance per call and in batches, with the SQL
  statements each costs;
- firewall: time to build and apply (iptables-restore) the security group
  table of N instances with R rules each, spread over G groups (1: a
  project's instances share their group; N: each its own), inside a network
  namespace made for the run (root needed; skipped with the reason
  otherwise): the first apply of a process (every chain written), the same
  table again, and one instance or one group more (only new chains written);
- nat: the same for a network host's NAT table with N floating IPs.

Boot throughput through FlatManager is tools/bench/boot.py.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

from nova import utils  # noqa: E402

utils.monkey_patch()

from nova import context as nova_context  # noqa: E402
from nova import rpc  # noqa: E402
from nova import service  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.db import migration  # noqa: E402
from nova.network import api as network_api  # noqa: E402


def alloc(args):
    with tempfile.TemporaryDirectory() as tmp:
        for name, value in dict(state_path=tmp, transport_url='inproc://',
                                sql_connection='sqlite:///%s/nova.sqlite' % tmp).items():
            CONF.set_override(name, value)
        migration.db_sync()
        rpc.init()
        svc = service.Service.create('nova-network', host='net', periodic_enable=False)
        svc.start()
        admin = nova_context.get_admin_context()
        api = network_api.API()
        api.create_network(admin, '10.0.0.0/16', label='private')
        from tests.unit.db.compute_helpers import count_statements, queries
        for batch in args.batches:
            instances = [types.SimpleNamespace(uuid='b%d-%d' % (batch, i), project_id='p',
                                               host='c1', system_metadata={})
                         for i in range(args.pairs)]
            start = time.monotonic()
            with count_statements() as statements:
                for first in range(0, len(instances), batch):
                    api.allocate_for_instances(admin, instances[first:first + batch], 'c1')
            allocated = time.monotonic() - start
            per_call = len(queries(statements)) / (len(instances) / batch)
            start = time.monotonic()
            for instance in instances:
                api.deallocate_for_instance(admin, instance)
            freed = time.monotonic() - start
            print('alloc    batch=%-4d %6d instances  allocate %8.0f/s (%4.1f statements '
                  'per call)  deallocate %6.0f/s  pairs %6.0f/s' % (
                      batch, len(instances), len(instances) / allocated, per_call,
                      len(instances) / freed, len(instances) / (allocated + freed)))
        svc.stop(graceful=False)
        rpc.cleanup()


def _specs(count, rules, groups):
    """count instances on one network, spread over groups groups of rules rules each."""
    def group(g):
        return [{'protocol': 'tcp', 'from_port': 1000 + r, 'to_port': 1000 + r,
                 'sources': ['192.%d.%d.0/24' % (g // 250, g % 250)]} for r in range(rules)]
    return [{'id': i, 'uuid': 'u%d' % i, 'ips': ['10.%d.%d.%d' % (i // 65536, i // 256 % 256,
                                                                   i % 256 or 1)],
             'dhcp_servers': ['10.0.0.1'], 'networks': ['10.0.0.0/16'],
             'groups': [group(i % groups)]}
            for i in range(count)]


def _timed_restores():
    """Wrap linux_net.execute to add up the time spent in iptables-save/-restore."""
    from nova.network import linux_net
    spent = {'iptables-save': 0.0, 'iptables-restore': 0.0}
    real = linux_net.execute

    def execute(*cmd, **kwargs):
        start = time.monotonic()
        try:
            return real(*cmd, **kwargs)
        finally:
            if cmd[0] in spent:
                spent[cmd[0]] += time.monotonic() - start
    linux_net.execute = execute
    return spent


def tables_inside(args):
    """Run inside the namespace: build and apply, timed."""
    from nova.network import firewall, iptables, manager
    spent = _timed_restores()
    version = subprocess.run(['iptables-restore', '--version'], capture_output=True,
                             text=True).stdout.strip()
    print('tables: %s in a namespace of its own' % version)
    for groups in args.groups:
        specs = _specs(args.instances, args.rules, groups)
        driver = firewall.IptablesFirewallDriver()  # a new process: rewrites every chain
        runs = [('first', specs), ('same', specs),
                ('+1 instance', specs + _specs(args.instances + 1, args.rules, groups)[-1:]),
                ('+1 group', specs + [dict(_specs(1, args.rules, 1)[0], id=-1, ips=['10.9.9.9'],
                                           groups=[[dict(r, from_port=9, to_port=9)
                                                    for r in _specs(1, 1, 1)[0]['groups'][0]]])])]
        for run, current in runs:
            for key in spent:
                spent[key] = 0.0
            start = time.monotonic()
            table = driver.table(current)
            built = time.monotonic() - start
            start = time.monotonic()
            driver.apply(current)  # builds it again
            total = time.monotonic() - start
            print('firewall %5d instances in %4d groups x %d rules (%5d iptables rules), '
                  '%-11s build %.3fs, build+apply %.3fs (save %.3fs, restore %.3fs)' % (
                      len(current), groups, args.rules, table.rule_count(), run + ':', built,
                      total, spent['iptables-save'], spent['iptables-restore']))
        firewall.IptablesFirewallDriver().apply([])  # empty again for the next case
    networks = [types.SimpleNamespace(cidr='10.0.0.0/16', bridge='br100', segment_type='flat')]
    floating = [('198.18.%d.%d' % (i // 256, i % 256), '10.0.%d.%d' % (i // 256, i % 256),
                 None) for i in range(args.instances)]
    for name, value in dict(metadata_host='192.0.2.1', routing_source_ip='192.0.2.1').items():
        CONF.set_override(name, value)
    start = time.monotonic()
    nat = manager.LinuxNetworkManager.nat_tables(networks, floating)
    iptables.apply(*nat)
    print('nat      %5d floating IPs (%d rules): build+apply %.3fs' % (
        args.instances, sum(t.rule_count() for t in nat), time.monotonic() - start))


def tables(args):
    if os.geteuid() != 0:
        print('firewall/nat: skipped, needs root (network namespaces, iptables)')
        return
    ns = 'nvbench%d' % os.getpid()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as bindir:
        if args.backend != 'system':  # iptables-save/-restore of that backend first on PATH
            for tool in ('iptables-save', 'iptables-restore'):
                os.symlink(shutil.which(tool.replace('-', '-%s-' % args.backend)),
                           os.path.join(bindir, tool))
            env['PATH'] = bindir + os.pathsep + env['PATH']
        subprocess.run(['ip', 'netns', 'add', ns], check=True)
        try:
            subprocess.run(['ip', 'netns', 'exec', ns, sys.executable, __file__, '--inside',
                            '--instances', str(args.instances), '--rules', str(args.rules),
                            '--groups'] + [str(g) for g in args.groups], check=True, env=env)
        finally:
            subprocess.run(['ip', 'netns', 'del', ns])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--what', choices=['alloc', 'tables', 'all'], default='all')
    parser.add_argument('--pairs', type=int, default=500)
    parser.add_argument('--batches', type=int, nargs='+', default=[1, 100])
    parser.add_argument('--instances', type=int, default=1000)
    parser.add_argument('--rules', type=int, default=5)
    parser.add_argument('--groups', type=int, nargs='+', default=[1, 50, 1000],
                        help='the instances spread over this many groups (one case each)')
    parser.add_argument('--backend', choices=['system', 'nft', 'legacy'], default='system',
                        help='iptables backend of the namespace (never mixed in one)')
    parser.add_argument('--inside', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    import nova.conf
    nova.conf.parse_args([], default_flagfiles=())
    if args.inside:
        return tables_inside(args)
    if args.what in ('alloc', 'all'):
        alloc(args)
    if args.what in ('tables', 'all'):
        tables(args)


if __name__ == '__main__':
    main()
